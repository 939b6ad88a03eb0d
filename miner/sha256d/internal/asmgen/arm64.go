package main

import (
	"fmt"
	"strings"
)

// arm64 SHA2-extension kernel: ABCD/EFGH in lane order a..d, e..h; SHA256H updates ABCD from
// EFGH, SHA256H2 updates EFGH from the ABCD before that update (kept in a copy).

// Offsets in arm64Const<>.
const (
	aK     = 0   // K[4q..4q+3], 16 quads
	aB2C   = 256 // block-2 W+K for quads 1..3
	aH2C   = 304 // hash-2 W+K for quads 2..3
	aCW4   = 336 // [0x80000000, 0, 0, 0]
	aC640  = 352 // [0, 0, 0, 640]
	aC256  = 368 // [0, 0, 0, 256]
	aIVA   = 384 // IV a..d
	aIVE   = 400 // IV e..h
	aConst = 416
)

// Offsets in the arm64 archJob.
const (
	ajS4A  = 0
	ajS4E  = 16
	ajW012 = 32
	ajC16  = 48
	ajC28  = 64
	ajMidA = 80
	ajMidE = 96
	ajT7   = 112
)

type armStream struct {
	idx              int
	abcd, efgh, copy string
	wk               string
	g                [4]string
}

type armGen struct {
	out     *strings.Builder
	width   int
	name    string
	streams []*armStream
}

// Shared registers.
const (
	aRegK    = "V24"
	aRegZero = "V25"
	aRegCW4  = "V26"
	aRegC640 = "V27"
	aRegC256 = "V28"
	aRegTmp  = "V29"
	aRegN    = "V30"
)

func fq(v string) string { return "F" + v[1:] }

func (g *armGen) phase(f func(s *armStream, e emitFn)) {
	for _, s := range g.streams {
		f(s, func(format string, args ...any) { fmt.Fprintf(g.out, "\t"+format+"\n", args...) })
	}
}

func (g *armGen) once(format string, args ...any) { fmt.Fprintf(g.out, "\t"+format+"\n", args...) }

func (s *armStream) grp(n int) string { return s.g[n%4] }

// quadK runs rounds 4q..4q+3 with W+K = the group plus K[q] (group < 0: W+K is the constant at
// constOff). last runs only SHA256H2, which is all the final h needs.
func (g *armGen) quad(q, group, constOff int, last bool) {
	if group < 0 {
		g.once("FMOVQ %d(R4), %s", constOff, fq(aRegK))
	} else {
		g.once("FMOVQ %d(R4), %s", aK+16*q, fq(aRegK))
	}
	g.phase(func(s *armStream, e emitFn) {
		wk := aRegK
		if group >= 0 {
			wk = s.wk
			e("VADD %s.S4, %s.S4, %s.S4", aRegK, s.grp(group), wk)
		}
		if last {
			e("SHA256H2 %s.S4, %s, %s", wk, s.abcd, s.efgh)
			return
		}
		e("VMOV %s.B16, %s.B16", s.abcd, s.copy)
		e("SHA256H %s.S4, %s, %s", wk, s.efgh, s.abcd)
		e("SHA256H2 %s.S4, %s, %s", wk, s.copy, s.efgh)
	})
}

// su computes group n = SU1(SU0(x, y), p, q), where x (or a constant register copied in) is the
// group n-4 register; y, p, q are registers.
func (s *armStream) su(n int, x, y, p, q string, e emitFn) {
	d := s.grp(n)
	if x != d {
		e("VMOV %s.B16, %s.B16", x, d)
	}
	if y != "" {
		e("SHA256SU0 %s.S4, %s.S4", y, d)
	}
	e("SHA256SU1 %s.S4, %s.S4, %s.S4", q, p, d)
}

func (s *armStream) general(n int, e emitFn) {
	s.su(n, s.grp(n-4), s.grp(n-3), s.grp(n-2), s.grp(n-1), e)
}

func (g *armGen) rounds(first int, sched map[int]func(*armStream, emitFn), constQuad func(int) int, short bool) {
	next := 4
	for q := first; q < 16; q++ {
		for ; next < 16 && max(next-3, first+1) <= q; next++ {
			f := sched[next]
			if f == nil {
				n := next
				f = func(s *armStream, e emitFn) { s.general(n, e) }
			}
			g.phase(f)
		}
		if off := constQuad(q); off >= 0 {
			g.quad(q, -1, off, false)
		} else {
			g.quad(q, q, 0, short && q == 15)
		}
	}
}

func (g *armGen) generate(out *strings.Builder) {
	g.out = out
	r := 0
	next := func() string { r++; return fmt.Sprintf("V%d", r-1) }
	for i := 0; i < g.width; i++ {
		s := &armStream{idx: i}
		s.abcd, s.efgh, s.copy, s.wk = next(), next(), next(), next()
		for j := range s.g {
			s.g[j] = next()
		}
		g.streams = append(g.streams, s)
	}
	if r > 24 {
		panic("too many registers")
	}
	w := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	w("// func %s(j *archJob, start, groups uint32) (grp, mask uint32)", g.name)
	w("// %d nonces per group.", g.width)
	w("TEXT ·%s(SB), NOSPLIT, $0-24", g.name)
	w("\tMOVD j+0(FP), R0")
	w("\tMOVWU start+8(FP), R1")
	w("\tMOVWU groups+12(FP), R2")
	w("\tMOVD $arm64Const<>(SB), R4")
	w("\tMOVWU %d(R0), R9", ajT7)
	w("\tMOVW $0x5be0cd19, R11")
	w("\tMOVW $0, R3")
	w("\tVEOR %s.B16, %s.B16, %s.B16", aRegZero, aRegZero, aRegZero)
	w("\tFMOVQ %d(R4), %s", aCW4, fq(aRegCW4))
	w("\tFMOVQ %d(R4), %s", aC640, fq(aRegC640))
	w("\tFMOVQ %d(R4), %s", aC256, fq(aRegC256))
	w("%s_loop:", g.name)
	w("\tMOVW $0, R10")
	// Block 2 from the state after rounds 0..3 (W3 = 0): add the nonce word to a and e.
	g.phase(func(s *armStream, e emitFn) {
		e("ADDW $%d, R1, R5", s.idx)
		e("REVW R5, R5")
		e("FMOVS R5, %s", fq(aRegN))
		e("FMOVQ %d(R0), %s", ajS4A, fq(s.abcd))
		e("VADD %s.S4, %s.S4, %s.S4", aRegN, s.abcd, s.abcd)
		e("FMOVQ %d(R0), %s", ajS4E, fq(s.efgh))
		e("VADD %s.S4, %s.S4, %s.S4", aRegN, s.efgh, s.efgh)
		e("FMOVQ %d(R0), %s", ajW012, fq(s.grp(0)))
		e("VMOV R5, %s.S[3]", s.grp(0))
	})
	g.rounds(1, map[int]func(*armStream, emitFn){
		// Group 4 = SU0(W0..3, W4..7) + [0, s1(640), s1(W16), s1(W17)] (W9..W12 are zero).
		4: func(s *armStream, e emitFn) {
			e("SHA256SU0 %s.S4, %s.S4", aRegCW4, s.grp(0))
			e("FMOVQ %d(R0), %s", ajC16, fq(aRegTmp))
			e("VADD %s.S4, %s.S4, %s.S4", aRegTmp, s.grp(0), s.grp(4))
		},
		// SU0(W4..7, W8..11) = [0x80000000, 0, 0, 0].
		5: func(s *armStream, e emitFn) { s.su(5, aRegCW4, "", aRegC640, s.grp(4), e) },
		// SU0(W8..11, W12..15) = 0.
		6: func(s *armStream, e emitFn) { s.su(6, aRegZero, "", s.grp(4), s.grp(5), e) },
		// SU0(W12..15, W16..19) is the per-job [0, 0, s0(640), 640 + s0(W16)].
		7: func(s *armStream, e emitFn) {
			e("FMOVQ %d(R0), %s", ajC28, fq(s.grp(7)))
			s.su(7, s.grp(7), "", s.grp(5), s.grp(6), e)
		},
	}, func(q int) int {
		if q < 4 {
			return aB2C + 16*(q-1)
		}
		return -1
	}, false)
	// Feed-forward: the first hash is hash-2 groups 0 and 1; reset to the IV.
	g.once("FMOVQ %d(R0), %s", ajMidA, fq(aRegTmp))
	g.once("FMOVQ %d(R0), %s", ajMidE, fq(aRegN))
	g.phase(func(s *armStream, e emitFn) {
		e("VADD %s.S4, %s.S4, %s.S4", aRegTmp, s.abcd, s.grp(0))
		e("VADD %s.S4, %s.S4, %s.S4", aRegN, s.efgh, s.grp(1))
		e("FMOVQ %d(R4), %s", aIVA, fq(s.abcd))
		e("FMOVQ %d(R4), %s", aIVE, fq(s.efgh))
	})
	g.rounds(0, map[int]func(*armStream, emitFn){
		4: func(s *armStream, e emitFn) { s.su(4, s.grp(0), s.grp(1), aRegCW4, aRegC256, e) },
		5: func(s *armStream, e emitFn) { s.su(5, s.grp(1), aRegCW4, aRegC256, s.grp(4), e) },
		6: func(s *armStream, e emitFn) { s.su(6, aRegCW4, "", s.grp(4), s.grp(5), e) },
		7: func(s *armStream, e emitFn) { s.su(7, aRegC256, s.grp(4), s.grp(5), s.grp(6), e) },
	}, func(q int) int {
		if q == 2 || q == 3 {
			return aH2C + 16*(q-2)
		}
		return -1
	}, true)
	// Lane 3 of EFGH is h after round 63: compare bswap(h + IV7) with the target top word.
	g.phase(func(s *armStream, e emitFn) {
		e("VMOV %s.S[3], R5", s.efgh)
		e("ADDW R11, R5, R5")
		e("REVW R5, R5")
		e("CMPW R9, R5")
		e("BHI %s_miss%d", g.name, s.idx)
		e("ORRW $%d, R10, R10", 1<<s.idx)
		fmt.Fprintf(out, "%s_miss%d:\n", g.name, s.idx)
	})
	w("\tCBNZW R10, %s_hit", g.name)
	w("\tADDW $%d, R1, R1", g.width)
	w("\tADDW $1, R3, R3")
	w("\tCMPW R2, R3")
	w("\tBLO %s_loop", g.name)
	w("\tMOVW R3, grp+16(FP)")
	w("\tMOVW $0, R10")
	w("\tMOVW R10, mask+20(FP)")
	w("\tRET")
	w("%s_hit:", g.name)
	w("\tMOVW R3, grp+16(FP)")
	w("\tMOVW R10, mask+20(FP)")
	w("\tRET")
	w("")
}

func arm64Consts(b *strings.Builder) {
	var t [aConst / 4]uint32
	put := func(off int, v ...uint32) { copy(t[off/4:], v) }
	for q := 0; q < 16; q++ {
		put(aK+16*q, k256[4*q:4*q+4]...)
	}
	var w2 [16]uint32
	w2[4], w2[15] = 0x80000000, 640
	for q := 1; q < 4; q++ {
		for i := 0; i < 4; i++ {
			put(aB2C+16*(q-1)+4*i, k256[4*q+i]+w2[4*q+i])
		}
	}
	var wh [16]uint32
	wh[8], wh[15] = 0x80000000, 256
	for q := 2; q < 4; q++ {
		for i := 0; i < 4; i++ {
			put(aH2C+16*(q-2)+4*i, k256[4*q+i]+wh[4*q+i])
		}
	}
	put(aCW4, 0x80000000, 0, 0, 0)
	put(aC640, 0, 0, 0, 640)
	put(aC256, 0, 0, 0, 256)
	put(aIVA, 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a)
	put(aIVE, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
	for i, v := range t {
		fmt.Fprintf(b, "DATA arm64Const<>+%d(SB)/4, $0x%08x\n", 4*i, v)
	}
	fmt.Fprintf(b, "GLOBL arm64Const<>(SB), RODATA|NOPTR, $%d\n\n", aConst)
}
