package main

import (
	"fmt"
	"math/bits"
	"strings"
)

// AVX2 8-way kernel: one nonce per 32-bit lane, state a..h in Y0..Y7 (roles rotate by renaming),
// message words in a ring of 16 stack slots, constants pre-broadcast in avx2Const<>.

// Job vectors (32 bytes each) at avx2JobOff in archJob, in this order.
const (
	avx2JobOff = 144 // after the SHA-NI part of archJob
	ajS4       = 0   // 8 vectors: block-2 state after rounds 0..3 with W3 = 0
	ajMid      = 8   // 8 vectors: midstate
	ajWords    = 16  // 15 vectors: x, sigma0(x), sigma1(x) for x in W0, W1, W2, W16, W17
	ajVectors  = 31
)

var avx2JobWords = []int{0, 1, 2, 16, 17}

func sigma0(x uint32) uint32 { return bits.RotateLeft32(x, -7) ^ bits.RotateLeft32(x, -18) ^ x>>3 }
func sigma1(x uint32) uint32 { return bits.RotateLeft32(x, -17) ^ bits.RotateLeft32(x, -19) ^ x>>10 }

// wdesc describes a message word: known at generation time, per job, or per lane.
type wdesc struct {
	kind int // wImm, wJob, wVec
	imm  uint32
}

const (
	wImm = iota
	wJob
	wVec
)

type avx2Gen struct {
	out    *strings.Builder
	consts map[uint32]int // pre-broadcast constant -> table index
	order  []uint32
	st     [8]string // registers of a..h
	bc     string    // register holding b^c for the next Maj
	spare  string
	name   string
}

func (g *avx2Gen) e(format string, args ...any) { fmt.Fprintf(g.out, "\t"+format+"\n", args...) }

func (g *avx2Gen) c(v uint32) string {
	i, ok := g.consts[v]
	if !ok {
		i = len(g.order)
		g.consts[v] = i
		g.order = append(g.order, v)
	}
	return fmt.Sprintf("avx2Const<>+%d(SB)", 32*i)
}

func (g *avx2Gen) jobVec(i int) string { return fmt.Sprintf("%d(DI)", avx2JobOff+32*i) }

// jobWord returns the job vector of fn(W[w]) (fn 0 = identity, 1 = sigma0, 2 = sigma1).
func (g *avx2Gen) jobWord(w, fn int) string {
	for i, x := range avx2JobWords {
		if x == w {
			return g.jobVec(ajWords + 3*i + fn)
		}
	}
	panic(fmt.Sprintf("W%d is not a job word", w))
}

func slot(i int) string { return fmt.Sprintf("%d(R8)", 32*(i%16)) }

// sigma computes sigma0 (fn 1) or sigma1 (fn 2) of the vector at src into dst using tmp.
func (g *avx2Gen) sigma(fn int, src, dst, tmp string) {
	r1, r2, sh := 7, 18, 3
	if fn == 2 {
		r1, r2, sh = 17, 19, 10
	}
	g.e("VMOVDQU %s, %s", src, tmp)
	g.e("VPSRLD $%d, %s, %s", sh, tmp, dst)
	for _, r := range []int{r1, r2} {
		g.e("VPSRLD $%d, %s, Y10", r, tmp)
		g.e("VPXOR Y10, %s, %s", dst, dst)
		g.e("VPSLLD $%d, %s, Y10", 32-r, tmp)
		g.e("VPXOR Y10, %s, %s", dst, dst)
	}
}

// schedule computes W[i] = sigma1(W[i-2]) + W[i-7] + sigma0(W[i-15]) + W[i-16] into its slot,
// folding known words, and returns its description.
func (g *avx2Gen) schedule(w []wdesc, i int) wdesc {
	terms := []struct{ fn, j int }{{2, i - 2}, {0, i - 7}, {1, i - 15}, {0, i - 16}}
	var imm uint32
	var vec []string // operations to add into Y8
	have := false
	for _, t := range terms {
		d := w[t.j]
		switch d.kind {
		case wImm:
			v := d.imm
			if t.fn == 1 {
				v = sigma0(v)
			} else if t.fn == 2 {
				v = sigma1(v)
			}
			imm += v
		case wJob:
			vec = append(vec, "J"+fmt.Sprint(t.fn, ",", t.j))
		case wVec:
			vec = append(vec, "V"+fmt.Sprint(t.fn, ",", t.j))
			have = true
		}
	}
	if !have {
		return wdesc{kind: wJob} // only W16 and W17 of block 2, supplied by the job
	}
	first := true
	add := func(src string) {
		if first {
			g.e("VMOVDQU %s, Y8", src)
			first = false
		} else {
			g.e("VPADDD %s, Y8, Y8", src)
		}
	}
	for _, op := range vec {
		var fn, j int
		fmt.Sscanf(op[1:], "%d,%d", &fn, &j)
		if op[0] == 'J' {
			add(g.jobWord(j, fn))
			continue
		}
		if fn == 0 {
			add(slot(j))
			continue
		}
		g.sigma(fn, slot(j), "Y9", "Y11")
		if first {
			g.e("VMOVDQA Y9, Y8")
			first = false
		} else {
			g.e("VPADDD Y9, Y8, Y8")
		}
	}
	if imm != 0 {
		g.e("VPADDD %s, Y8, Y8", g.c(imm))
	}
	g.e("VMOVDQU Y8, %s", slot(i))
	return wdesc{kind: wVec}
}

// bigSigma puts ror(x, r0) ^ ror(x, r1) ^ ror(x, r2) into Y8 (Y9..Y11 clobbered).
func (g *avx2Gen) bigSigma(x string, r0, r1, r2 int) {
	g.e("VPSRLD $%d, %s, Y8", r0, x)
	g.e("VPSLLD $%d, %s, Y9", 32-r0, x)
	g.e("VPXOR Y9, Y8, Y8")
	g.e("VPSRLD $%d, %s, Y9", r1, x)
	g.e("VPSLLD $%d, %s, Y10", 32-r1, x)
	g.e("VPXOR Y10, Y9, Y9")
	g.e("VPSRLD $%d, %s, Y10", r2, x)
	g.e("VPSLLD $%d, %s, Y11", 32-r2, x)
	g.e("VPXOR Y11, Y10, Y10")
	g.e("VPXOR Y9, Y8, Y8")
	g.e("VPXOR Y10, Y8, Y8")
}

// round emits SHA-256 round i; kw lists memory operands whose sum is K[i]+W[i]. A partial round
// computes only the new e (the new a is not needed by the end of hash 2).
func (g *avx2Gen) round(kw []string, partial bool) {
	a, b, c, d, e, f, gg, h := g.st[0], g.st[1], g.st[2], g.st[3], g.st[4], g.st[5], g.st[6], g.st[7]
	for _, m := range kw {
		g.e("VPADDD %s, %s, %s", m, h, h)
	}
	// Ch(e, f, g) = ((f ^ g) & e) ^ g, added to h + K + W off the e chain.
	g.e("VPXOR %s, %s, Y14", gg, f)
	g.e("VPAND %s, Y14, Y14", e)
	g.e("VPXOR %s, Y14, Y14", gg)
	g.e("VPADDD Y14, %s, %s", h, h)
	// Sigma1(e) = ror6 ^ ror11 ^ ror25 as a tree of depth 4.
	g.bigSigma(e, 6, 11, 25)
	g.e("VPADDD Y8, %s, %s", h, h)    // h = T1
	g.e("VPADDD %s, %s, %s", h, d, d) // d = new e
	if !partial {
		// Maj(a, b, c) = ((a ^ b) & (b ^ c)) ^ b; a ^ b is the next round's b ^ c.
		g.e("VPXOR %s, %s, %s", b, a, g.spare)
		g.e("VPAND %s, %s, Y14", g.bc, g.spare)
		g.e("VPXOR %s, Y14, Y14", b)
		g.e("VPADDD Y14, %s, %s", h, h)
		g.bc, g.spare = g.spare, g.bc
		// Sigma0(a) = ror2 ^ ror13 ^ ror22
		g.bigSigma(a, 2, 13, 22)
		g.e("VPADDD Y8, %s, %s", h, h) // h = new a
	}
	g.st = [8]string{h, a, b, c, d, e, f, gg}
}

func (g *avx2Gen) generate(out *strings.Builder) {
	g.out = out
	g.consts = map[uint32]int{}
	g.name = "scanAVX2"
	var body strings.Builder
	g.out = &body
	w := func(format string, args ...any) { fmt.Fprintf(&body, format+"\n", args...) }

	w("// func scanAVX2(j *archJob, start, groups uint32) (grp, mask uint32)")
	w("// 8 nonces per group, one per 32-bit lane.")
	w("TEXT ·scanAVX2(SB), 0, $%d-24", 16*32+32)
	w("\tMOVQ j+0(FP), DI")
	w("\tMOVL start+8(FP), BX")
	w("\tMOVL groups+12(FP), CX")
	w("\tLEAQ 31(SP), R8")
	w("\tANDQ $~31, R8")
	w("\tMOVQ BX, X15")
	w("\tVPBROADCASTD X15, Y15")
	w("\tVPADDD %s, Y15, Y15", "avx2Lanes<>(SB)")
	w("\tXORL DX, DX")
	w("scanAVX2_loop:")

	// Block 2.
	var wd [64]wdesc
	for i := range 16 {
		wd[i] = wdesc{kind: wImm}
	}
	wd[0], wd[1], wd[2] = wdesc{kind: wJob}, wdesc{kind: wJob}, wdesc{kind: wJob}
	wd[3] = wdesc{kind: wVec}
	wd[4].imm, wd[15].imm = 0x80000000, 640
	g.st = [8]string{"Y0", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"}
	g.bc, g.spare = "Y12", "Y13"
	g.e("VPSHUFB %s, Y15, Y8", "avx2Bswap<>(SB)")
	g.e("VMOVDQU Y8, %s", slot(3))
	for i := range 8 {
		g.e("VMOVDQU %s, %s", g.jobVec(ajS4+i), g.st[i])
	}
	g.e("VPADDD Y8, %s, %s", g.st[0], g.st[0])
	g.e("VPADDD Y8, %s, %s", g.st[4], g.st[4])
	g.e("VPXOR %s, %s, %s", g.st[2], g.st[1], g.bc)
	for i := 4; i < 64; i++ {
		if i >= 16 {
			wd[i] = g.schedule(wd[:], i)
		}
		switch wd[i].kind {
		case wImm:
			g.round([]string{g.c(k256[i] + wd[i].imm)}, false)
		case wJob:
			g.round([]string{g.c(k256[i]), g.jobWord(i, 0)}, false)
		default:
			g.round([]string{g.c(k256[i]), slot(i)}, false)
		}
	}
	// Feed-forward: the first hash becomes hash-2 words 0..7; reset to the IV.
	iv := []uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	for i := range 8 {
		g.e("VPADDD %s, %s, %s", g.jobVec(ajMid+i), g.st[i], g.st[i])
		g.e("VMOVDQU %s, %s", g.st[i], slot(i))
	}
	for i := range 8 {
		g.e("VMOVDQU %s, %s", g.c(iv[i]), g.st[i])
	}
	for i := range 16 {
		wd[i] = wdesc{kind: wImm}
	}
	for i := range 8 {
		wd[i] = wdesc{kind: wVec}
	}
	wd[8].imm, wd[15].imm = 0x80000000, 256
	g.e("VPXOR %s, %s, %s", g.st[2], g.st[1], g.bc)
	for i := 0; i < 61; i++ {
		if i >= 16 {
			wd[i] = g.schedule(wd[:], i)
		}
		if wd[i].kind == wImm {
			g.round([]string{g.c(k256[i] + wd[i].imm)}, i >= 57)
		} else {
			g.round([]string{g.c(k256[i]), slot(i)}, i >= 57)
		}
	}
	// After round 60 the e register holds e61 = h64: compare bswap(h64 + IV7) <= t7 per lane.
	g.e("VPADDD %s, %s, Y8", g.c(iv[7]), g.st[4])
	g.e("VPSHUFB %s, Y8, Y8", "avx2Bswap<>(SB)")
	g.e("VPBROADCASTD %d(DI), Y9", 128)
	g.e("VPMAXUD Y9, Y8, Y8")
	g.e("VPCMPEQD Y9, Y8, Y8")
	g.e("VMOVMSKPS Y8, R10")
	w("\tTESTL R10, R10")
	w("\tJNZ scanAVX2_hit")
	w("\tVPADDD %s, Y15, Y15", g.c(8))
	w("\tINCL DX")
	w("\tCMPL DX, CX")
	w("\tJB scanAVX2_loop")
	w("\tVZEROUPPER")
	w("\tMOVL DX, grp+16(FP)")
	w("\tMOVL $0, mask+20(FP)")
	w("\tRET")
	w("scanAVX2_hit:")
	w("\tVZEROUPPER")
	w("\tMOVL DX, grp+16(FP)")
	w("\tMOVL R10, mask+20(FP)")
	w("\tRET")

	for i, v := range g.order {
		for l := range 8 {
			fmt.Fprintf(out, "DATA avx2Const<>+%d(SB)/4, $0x%08x\n", 32*i+4*l, v)
		}
	}
	fmt.Fprintf(out, "GLOBL avx2Const<>(SB), RODATA|NOPTR, $%d\n\n", 32*len(g.order))
	for l := range 8 {
		fmt.Fprintf(out, "DATA avx2Lanes<>+%d(SB)/4, $%d\n", 4*l, l)
	}
	fmt.Fprintf(out, "GLOBL avx2Lanes<>(SB), RODATA|NOPTR, $32\n\n")
	for l := range 8 {
		fmt.Fprintf(out, "DATA avx2Bswap<>+%d(SB)/4, $0x%08x\n", 4*l, uint32(0x00010203+0x04040404*(l%4)))
	}
	fmt.Fprintf(out, "GLOBL avx2Bswap<>(SB), RODATA|NOPTR, $32\n\n")
	out.WriteString(body.String())
}
