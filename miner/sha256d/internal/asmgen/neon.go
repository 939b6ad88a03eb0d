package main

import (
	"fmt"
	"strings"
)

// arm64 NEON 4-way kernel (for arm64 CPUs without the SHA2 extension, such as the Raspberry
// Pi 4): one nonce per 32-bit lane, state a..h in V0..V7 (roles rotate by renaming), all live
// message words in a ring of 16 registers V8..V23, temporaries V24..V31. Rotates are SHL + SRI,
// Ch and Maj are one BSL each.

const (
	neonJobOff = 128 // after the SHA2 part of the arm64 archJob
	// Vectors (16 bytes, one word broadcast) at neonJobOff: as ajS4.. in avx2.go.
)

type neonGen struct {
	out    *strings.Builder
	consts map[uint32]int
	order  []uint32
	st     [8]string
}

func (g *neonGen) e(format string, args ...any) { fmt.Fprintf(g.out, "\t"+format+"\n", args...) }

// load puts the pre-broadcast constant v into register r.
func (g *neonGen) load(v uint32, r string) {
	i, ok := g.consts[v]
	if !ok {
		i = len(g.order)
		g.consts[v] = i
		g.order = append(g.order, v)
	}
	g.e("FMOVQ %d(R4), %s", 16*i, fq(r))
}

func (g *neonGen) loadJob(i int, r string) { g.e("FMOVQ %d(R0), %s", neonJobOff+16*i, fq(r)) }

func (g *neonGen) jobWord(w, fn int) int {
	for i, x := range avx2JobWords {
		if x == w {
			return ajWords + 3*i + fn
		}
	}
	panic(fmt.Sprintf("W%d is not a job word", w))
}

func wreg(i int) string { return fmt.Sprintf("V%d", 8+i%16) }

// ror puts ror(src, n) into dst.
func (g *neonGen) ror(src string, n int, dst string) {
	g.e("VSHL $%d, %s.S4, %s.S4", 32-n, src, dst)
	g.e("VSRI $%d, %s.S4, %s.S4", n, src, dst)
}

// bigSigma puts ror(x,r0) ^ ror(x,r1) ^ ror(x,r2) into dst (tmp is clobbered).
func (g *neonGen) bigSigma(x string, r [3]int, dst, tmp string) {
	g.ror(x, r[0], dst)
	for _, n := range r[1:] {
		g.ror(x, n, tmp)
		g.e("VEOR %s.B16, %s.B16, %s.B16", tmp, dst, dst)
	}
}

// smallSigma puts sigma0 (fn 1) or sigma1 (fn 2) of x into dst.
func (g *neonGen) smallSigma(fn int, x, dst, tmp string) {
	r1, r2, sh := 7, 18, 3
	if fn == 2 {
		r1, r2, sh = 17, 19, 10
	}
	g.e("VUSHR $%d, %s.S4, %s.S4", sh, x, dst)
	for _, n := range []int{r1, r2} {
		g.ror(x, n, tmp)
		g.e("VEOR %s.B16, %s.B16, %s.B16", tmp, dst, dst)
	}
}

func (g *neonGen) schedule(w []wdesc, i int) wdesc {
	type term struct{ fn, j int }
	terms := []term{{0, i - 16}, {2, i - 2}, {0, i - 7}, {1, i - 15}}
	var imm uint32
	var rest []term
	have := false
	for _, t := range terms {
		switch w[t.j].kind {
		case wImm:
			v := w[t.j].imm
			if t.fn == 1 {
				v = sigma0(v)
			} else if t.fn == 2 {
				v = sigma1(v)
			}
			imm += v
		default:
			have = have || w[t.j].kind == wVec
			rest = append(rest, t)
		}
	}
	if !have {
		return wdesc{kind: wJob}
	}
	dst := wreg(i)
	started := w[i-16].kind == wVec // dst still holds W[i-16]
	add := func(r string) {
		if !started {
			g.e("VMOV %s.B16, %s.B16", r, dst)
			started = true
		} else {
			g.e("VADD %s.S4, %s.S4, %s.S4", r, dst, dst)
		}
	}
	for _, t := range rest {
		if t.j == i-16 && w[t.j].kind == wVec {
			continue
		}
		if w[t.j].kind == wJob {
			g.loadJob(g.jobWord(t.j, t.fn), "V31")
			add("V31")
			continue
		}
		if t.fn == 0 {
			add(wreg(t.j))
			continue
		}
		g.smallSigma(t.fn, wreg(t.j), "V29", "V30")
		add("V29")
	}
	if imm != 0 {
		g.load(imm, "V31")
		add("V31")
	}
	return wdesc{kind: wVec}
}

// round emits one SHA-256 round; kw is the constant K+W (vec < 0) or K plus the lane word in
// register vec, or K plus job word jw.
func (g *neonGen) round(k uint32, vec string, jw int, partial bool) {
	a, b, c, d, e, f, gg, h := g.st[0], g.st[1], g.st[2], g.st[3], g.st[4], g.st[5], g.st[6], g.st[7]
	g.load(k, "V28")
	g.e("VADD V28.S4, %s.S4, %s.S4", h, h)
	if vec != "" {
		g.e("VADD %s.S4, %s.S4, %s.S4", vec, h, h)
	}
	if jw >= 0 {
		g.loadJob(jw, "V28")
		g.e("VADD V28.S4, %s.S4, %s.S4", h, h)
	}
	g.bigSigma(e, [3]int{6, 11, 25}, "V24", "V25")
	g.e("VADD V24.S4, %s.S4, %s.S4", h, h)
	// Ch(e, f, g) = e ? f : g
	g.e("VMOV %s.B16, V26.B16", e)
	g.e("VBSL %s.B16, %s.B16, V26.B16", gg, f)
	g.e("VADD V26.S4, %s.S4, %s.S4", h, h) // h = T1
	g.e("VADD %s.S4, %s.S4, %s.S4", h, d, d)
	if !partial {
		g.bigSigma(a, [3]int{2, 13, 22}, "V24", "V25")
		g.e("VADD V24.S4, %s.S4, %s.S4", h, h)
		// Maj(a, b, c) = (a ^ b) ? c : b
		g.e("VEOR %s.B16, %s.B16, V27.B16", a, b)
		g.e("VBSL %s.B16, %s.B16, V27.B16", b, c)
		g.e("VADD V27.S4, %s.S4, %s.S4", h, h)
	}
	g.st = [8]string{h, a, b, c, d, e, f, gg}
}

func (g *neonGen) generate(out *strings.Builder) {
	g.consts = map[uint32]int{}
	var body strings.Builder
	g.out = &body
	w := func(format string, args ...any) { fmt.Fprintf(&body, format+"\n", args...) }
	w("// func scanNEON4(j *archJob, start, groups uint32) (grp, mask uint32)")
	w("// 4 nonces per group, one per 32-bit lane.")
	w("TEXT ·scanNEON4(SB), NOSPLIT, $0-24")
	w("\tMOVD j+0(FP), R0")
	w("\tMOVWU start+8(FP), R1")
	w("\tMOVWU groups+12(FP), R2")
	w("\tMOVD $neonConst<>(SB), R4")
	w("\tMOVD $neonLanes<>(SB), R8")
	w("\tMOVWU %d(R0), R9", ajT7)
	w("\tMOVW $0, R3")
	w("scanNEON4_loop:")
	var wd [64]wdesc
	for i := range 16 {
		wd[i] = wdesc{kind: wImm}
	}
	wd[0], wd[1], wd[2] = wdesc{kind: wJob}, wdesc{kind: wJob}, wdesc{kind: wJob}
	wd[3] = wdesc{kind: wVec}
	wd[4].imm, wd[15].imm = 0x80000000, 640
	g.st = [8]string{"V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7"}
	// W3 = bswap of the lane nonces start+0..3.
	g.e("VDUP R1, V24.S4")
	g.e("FMOVQ (R8), F25")
	g.e("VADD V25.S4, V24.S4, V24.S4")
	g.e("VREV32 V24.B16, %s.B16", wreg(3))
	for i := range 8 {
		g.loadJob(ajS4+i, g.st[i])
	}
	g.e("VADD %s.S4, %s.S4, %s.S4", wreg(3), g.st[0], g.st[0])
	g.e("VADD %s.S4, %s.S4, %s.S4", wreg(3), g.st[4], g.st[4])
	for i := 4; i < 64; i++ {
		if i >= 16 {
			wd[i] = g.schedule(wd[:], i)
		}
		switch wd[i].kind {
		case wImm:
			g.round(k256[i]+wd[i].imm, "", -1, false)
		case wJob:
			g.round(k256[i], "", g.jobWord(i, 0), false)
		default:
			g.round(k256[i], wreg(i), -1, false)
		}
	}
	iv := []uint32{0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}
	for i := range 8 {
		g.loadJob(ajMid+i, "V24")
		g.e("VADD V24.S4, %s.S4, %s.S4", g.st[i], wreg(i))
	}
	g.st = [8]string{"V0", "V1", "V2", "V3", "V4", "V5", "V6", "V7"}
	for i := range 8 {
		g.load(iv[i], g.st[i])
	}
	for i := range 16 {
		wd[i] = wdesc{kind: wImm}
	}
	for i := range 8 {
		wd[i] = wdesc{kind: wVec}
	}
	wd[8].imm, wd[15].imm = 0x80000000, 256
	for i := 0; i < 61; i++ {
		if i >= 16 {
			wd[i] = g.schedule(wd[:], i)
		}
		if wd[i].kind == wImm {
			g.round(k256[i]+wd[i].imm, "", -1, i >= 57)
		} else {
			g.round(k256[i], wreg(i), -1, i >= 57)
		}
	}
	// e now holds h64: lanes where bswap(h64 + IV7) <= t7.
	g.load(iv[7], "V24")
	g.e("VADD V24.S4, %s.S4, V25.S4", g.st[4])
	g.e("VREV32 V25.B16, V25.B16")
	g.e("VDUP R9, V26.S4")
	g.e("VUMAX V26.S4, V25.S4, V25.S4")
	g.e("VCMEQ V26.S4, V25.S4, V25.S4")
	g.e("VMOV V25.D[0], R5")
	g.e("VMOV V25.D[1], R6")
	g.e("ORR R5, R6, R7")
	g.e("CBNZ R7, scanNEON4_hit")
	w("\tADDW $4, R1, R1")
	w("\tADDW $1, R3, R3")
	w("\tCMPW R2, R3")
	w("\tBLO scanNEON4_loop")
	w("\tMOVW R3, grp+16(FP)")
	w("\tMOVW $0, R10")
	w("\tMOVW R10, mask+20(FP)")
	w("\tRET")
	w("scanNEON4_hit:")
	w("\tAND $1, R5, R10")
	w("\tLSR $32, R5, R7")
	w("\tAND $1, R7, R7")
	w("\tORR R7<<1, R10, R10")
	w("\tAND $1, R6, R7")
	w("\tORR R7<<2, R10, R10")
	w("\tLSR $32, R6, R7")
	w("\tAND $1, R7, R7")
	w("\tORR R7<<3, R10, R10")
	w("\tMOVW R3, grp+16(FP)")
	w("\tMOVW R10, mask+20(FP)")
	w("\tRET")
	w("")
	for i, v := range g.order {
		for l := range 4 {
			fmt.Fprintf(out, "DATA neonConst<>+%d(SB)/4, $0x%08x\n", 16*i+4*l, v)
		}
	}
	fmt.Fprintf(out, "GLOBL neonConst<>(SB), RODATA|NOPTR, $%d\n\n", 16*len(g.order))
	for l := range 4 {
		fmt.Fprintf(out, "DATA neonLanes<>+%d(SB)/4, $%d\n", 4*l, l)
	}
	fmt.Fprintf(out, "GLOBL neonLanes<>(SB), RODATA|NOPTR, $16\n\n")
	out.WriteString(body.String())
}
