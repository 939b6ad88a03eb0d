package main

import (
	"fmt"
	"strings"
)

// Offsets in the shaniConst<> table.
const (
	offKLO   = 0   // K[4q..4q+3] for quad q, 16 quads
	offKHI   = 256 // K[4q+2], K[4q+3], K[4q+2], K[4q+3] (added to PSHUFD $0x0e of a message group)
	offB2C   = 512 // block 2 constant quads 1..3: lo = W+K for rounds 4q..4q+3, hi = rounds 4q+2, 4q+3
	offH2C   = 608 // hash 2 constant quads 2..3, same layout
	offCW4   = 672 // [0x80000000, 0, 0, 0]: block-2 W4..7 and hash-2 W8..11
	offCW12  = 688 // [0, 0, 0, 256]: hash-2 W12..15
	offIVA   = 704 // IV in ABEF order
	offIVC   = 720 // IV in CDGH order
	constLen = 736
)

// Offsets of the job vectors copied to the aligned frame (R8), mirroring archJob.
const (
	jS4ABEF  = 0
	jS4CDGH  = 16
	jW012    = 32
	jC16     = 48
	jX20     = 64
	jC28     = 80
	jMidABEF = 96
	jMidCDGH = 112
	jVectors = 8
	jT7      = 128 // in the job (DI), not copied
)

// shaniStream is the register assignment of one interleaved nonce.
type shaniStream struct {
	idx        int
	abef, cdgh string
	m          [4]string // message groups (register mode)
	wk         string    // work register (memory mode)
	slot       int       // frame offset of this stream's four message slots (memory mode)
	mem        bool
}

// loc returns where message group k (W[4k..4k+3]) lives.
func (s *shaniStream) loc(k int) string {
	if s.mem {
		return fmt.Sprintf("%d(R8)", s.slot+16*(k%4))
	}
	return s.m[k%4]
}

func cst(off int) string { return fmt.Sprintf("shaniConst<>+%d(SB)", off) }
func job(off int) string { return fmt.Sprintf("%d(R8)", off) }

// shaniKernel generates one interleaved SHA-NI group scanner.
type shaniKernel struct {
	name    string // Go function name
	width   int
	mem     bool
	streams []*shaniStream
	phases  [][]string // per phase, per stream instruction blocks, filled by emitters
	out     *strings.Builder
	trace   bool // store intermediate states to the out argument (width 1 debugging aid)
}

// dump stores stream 0's ABEF and CDGH to trace slots i and i+1.
func (k *shaniKernel) dump(i int, a, b string) {
	if k.trace {
		fmt.Fprintf(k.out, "\tMOVOU %s, %d(SI)\n\tMOVOU %s, %d(SI)\n", a, 16*i, b, 16*i+16)
	}
}

func newShaniKernel(name string, width int, mem bool) *shaniKernel {
	k := &shaniKernel{name: name, width: width, mem: mem}
	r := 1
	next := func() string { r++; return fmt.Sprintf("X%d", r-1) }
	for i := 0; i < width; i++ {
		s := &shaniStream{idx: i, mem: mem}
		s.abef, s.cdgh = next(), next()
		if mem {
			s.wk = next()
			s.slot = 16*jVectors + 64*i
		} else {
			for j := range s.m {
				s.m[j] = next()
			}
		}
		k.streams = append(k.streams, s)
	}
	if r > 15 {
		panic("too many registers for " + name)
	}
	return k
}

func (k *shaniKernel) frame() int {
	n := 16*jVectors + 16
	if k.mem {
		n += 64 * k.width
	}
	return n
}

// phase emits the same step for every stream, one stream after another, so that independent
// dependency chains interleave.
func (k *shaniKernel) phase(f func(s *shaniStream, e func(string, ...any))) {
	for _, s := range k.streams {
		f(s, func(format string, args ...any) {
			fmt.Fprintf(k.out, "\t"+format+"\n", args...)
		})
	}
}

// dst returns the register that receives new message group n and, in memory mode, a function
// that stores it to its slot.
func (s *shaniStream) dst(n int) (string, func(e func(string, ...any))) {
	if s.mem {
		return s.wk, func(e func(string, ...any)) { e("MOVO %s, %s", s.wk, s.loc(n)) }
	}
	return s.loc(n), func(func(string, ...any)) {}
}

// general computes group n from groups n-4..n-1: MSG1(n-4, n-3) + PALIGNR(n-1, n-2), then MSG2.
func (s *shaniStream) general(n int, e func(string, ...any)) {
	d, store := s.dst(n)
	if s.mem {
		e("MOVO %s, %s", s.loc(n-4), d)
	}
	e("SHA256MSG1 %s, %s", s.loc(n-3), d)
	e("MOVO %s, X15", s.loc(n-1))
	e("PALIGNR $4, %s, X15", s.loc(n-2))
	e("PADDD X15, %s", d)
	e("SHA256MSG2 %s, %s", s.loc(n-1), d)
	store(e)
}

func (k *shaniKernel) quadConst(lo int) {
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("MOVO %s, X0", cst(lo))
		e("SHA256RNDS2 X0, %s, %s", s.abef, s.cdgh)
	})
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("MOVO %s, X0", cst(lo+16))
		e("SHA256RNDS2 X0, %s, %s", s.cdgh, s.abef)
	})
}

func (k *shaniKernel) quadMsg(q int, group int, onlyLo bool) {
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("MOVO %s, X0", s.loc(group))
		e("PADDD %s, X0", cst(offKLO+16*q))
		e("SHA256RNDS2 X0, %s, %s", s.abef, s.cdgh)
	})
	if onlyLo {
		return
	}
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("PSHUFD $0x0e, %s, X0", s.loc(group))
		e("PADDD %s, X0", cst(offKHI+16*q))
		e("SHA256RNDS2 X0, %s, %s", s.cdgh, s.abef)
	})
}

func (k *shaniKernel) body() {
	// Block 2: the state after rounds 0..3 with the nonce word added to A and E; group 0 is
	// W0..W3 with the nonce word in lane 3.
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("MOVL BX, AX")
		if s.idx > 0 {
			e("ADDL $%d, AX", s.idx)
		}
		e("BSWAPL AX")
		e("MOVQ AX, X15")
		e("PSHUFD $0x11, X15, X15")
		e("MOVO %s, %s", job(jS4ABEF), s.abef)
		e("PADDD X15, %s", s.abef)
		e("MOVO %s, %s", job(jS4CDGH), s.cdgh)
		d, _ := s.dst(0)
		e("MOVO %s, %s", job(jW012), d)
		e("PINSRD $3, AX, %s", d)
	})
	// Group 4 = MSG1(W0..3, W4..7) + constants (W9..12 are zero; the sigma1 terms are per job).
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(4)
		e("SHA256MSG1 %s, %s", cst(offCW4), d)
		e("PADDD %s, %s", job(jC16), d)
		store(e)
	})
	k.quadConst(offB2C)
	// Group 5 = MSG2(per-job [W4+W13, W5+W14, W6+W15, W7+W16] plus zero sigma0 terms, group 4).
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(5)
		e("MOVO %s, %s", job(jX20), d)
		e("SHA256MSG2 %s, %s", s.loc(4), d)
		store(e)
	})
	k.quadConst(offB2C + 32)
	// Group 6: the MSG1 part is all zero.
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(6)
		e("MOVO %s, %s", s.loc(5), d)
		e("PALIGNR $4, %s, %s", s.loc(4), d)
		e("SHA256MSG2 %s, %s", s.loc(5), d)
		store(e)
	})
	k.quadConst(offB2C + 64)
	// Group 7: the MSG1 part is a per-job constant.
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(7)
		e("MOVO %s, %s", s.loc(6), d)
		e("PALIGNR $4, %s, %s", s.loc(5), d)
		e("PADDD %s, %s", job(jC28), d)
		e("SHA256MSG2 %s, %s", s.loc(6), d)
		store(e)
	})
	for q := 4; q < 16; q++ {
		k.quadMsg(q, q, false)
		if q+4 < 16 {
			k.phase(func(s *shaniStream, e func(string, ...any)) { s.general(q+4, e) })
		}
	}
	k.dump(0, k.streams[0].abef, k.streams[0].cdgh)
	// Feed-forward and repack into hash-2 groups 0 (A..D) and 1 (E..H); reset to the IV.
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("PADDD %s, %s", job(jMidABEF), s.abef)
		e("PADDD %s, %s", job(jMidCDGH), s.cdgh)
		e("PSHUFD $0x1b, %s, %s", s.abef, s.abef)
		e("PSHUFD $0x1b, %s, %s", s.cdgh, s.cdgh)
		if s.mem {
			e("MOVO %s, %s", s.abef, s.wk)
			e("PUNPCKLQDQ %s, %s", s.cdgh, s.wk)
			e("MOVO %s, %s", s.wk, s.loc(0))
			e("PUNPCKHQDQ %s, %s", s.cdgh, s.abef)
			e("MOVO %s, %s", s.abef, s.loc(1))
		} else {
			e("MOVO %s, %s", s.abef, s.loc(0))
			e("PUNPCKLQDQ %s, %s", s.cdgh, s.loc(0))
			e("MOVO %s, %s", s.abef, s.loc(1))
			e("PUNPCKHQDQ %s, %s", s.cdgh, s.loc(1))
		}
		e("MOVO %s, %s", cst(offIVA), s.abef)
		e("MOVO %s, %s", cst(offIVC), s.cdgh)
	})
	k.dump(2, k.streams[0].loc(0), k.streams[0].loc(1))
	// Hash 2.
	k.quadMsg(0, 0, false)
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(4)
		if s.mem {
			e("MOVO %s, %s", s.loc(0), d)
		}
		e("SHA256MSG1 %s, %s", s.loc(1), d)
		e("SHA256MSG2 %s, %s", cst(offCW12), d)
		store(e)
	})
	k.quadMsg(1, 1, false)
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(5)
		if s.mem {
			e("MOVO %s, %s", s.loc(1), d)
		}
		e("SHA256MSG1 %s, %s", cst(offCW4), d)
		e("MOVO %s, X15", s.loc(4))
		e("PALIGNR $4, %s, X15", cst(offCW12))
		e("PADDD X15, %s", d)
		e("SHA256MSG2 %s, %s", s.loc(4), d)
		store(e)
	})
	k.quadConst(offH2C)
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(6)
		e("MOVO %s, %s", s.loc(5), d)
		e("PALIGNR $4, %s, %s", s.loc(4), d)
		e("PADDD %s, %s", cst(offCW4), d)
		e("SHA256MSG2 %s, %s", s.loc(5), d)
		store(e)
	})
	k.quadConst(offH2C + 32)
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		d, store := s.dst(7)
		e("MOVO %s, %s", cst(offCW12), d)
		e("SHA256MSG1 %s, %s", s.loc(4), d)
		e("MOVO %s, X15", s.loc(6))
		e("PALIGNR $4, %s, X15", s.loc(5))
		e("PADDD X15, %s", d)
		e("SHA256MSG2 %s, %s", s.loc(6), d)
		store(e)
	})
	for q := 4; q < 16; q++ {
		k.quadMsg(q, q, q == 15)
		if q+4 < 16 {
			k.phase(func(s *shaniStream, e func(string, ...any)) { s.general(q+4, e) })
		}
	}
	// The single RNDS2 of the last quad left the new ABEF in the CDGH register.
	k.dump(4, k.streams[0].cdgh, k.streams[0].abef)
	// Early exit: lane 0 (F) after rounds 60 and 61 is e61, the final h before feed-forward.
	k.phase(func(s *shaniStream, e func(string, ...any)) {
		e("MOVQ %s, AX", s.cdgh)
		e("ADDL $0x5be0cd19, AX")
		e("BSWAPL AX")
		e("CMPL AX, R9")
		e("JHI %s_miss%d", k.name, s.idx)
		e("ORL $%d, R10", 1<<s.idx)
		fmt.Fprintf(k.out, "%s_miss%d:\n", k.name, s.idx)
	})
}

func (k *shaniKernel) generate(out *strings.Builder) {
	k.out = out
	w := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	w("// func %s(j *archJob, start, groups uint32) (grp, mask uint32)", k.name)
	w("// %d nonces per group, message schedule in %s.", k.width, map[bool]string{false: "registers", true: "aligned stack slots"}[k.mem])
	args := 24
	res := 16
	if k.trace {
		args, res = 32, 24
	}
	w("TEXT ·%s(SB), NOSPLIT, $%d-%d", k.name, k.frame(), args)
	w("\tMOVQ j+0(FP), DI")
	if k.trace {
		w("\tMOVQ out+16(FP), SI")
	}
	w("\tMOVL start+8(FP), BX")
	w("\tMOVL groups+12(FP), CX")
	w("\tLEAQ 15(SP), R8")
	w("\tANDQ $~15, R8")
	for i := 0; i < jVectors; i++ {
		w("\tMOVOU %d(DI), X0", 16*i)
		w("\tMOVO X0, %d(R8)", 16*i)
	}
	w("\tMOVL %d(DI), R9", jT7)
	w("\tXORL DX, DX")
	w("%s_loop:", k.name)
	w("\tXORL R10, R10")
	k.body()
	w("\tTESTL R10, R10")
	w("\tJNZ %s_hit", k.name)
	w("\tADDL $%d, BX", k.width)
	w("\tINCL DX")
	w("\tCMPL DX, CX")
	w("\tJB %s_loop", k.name)
	w("\tMOVL DX, grp+%d(FP)", res)
	w("\tMOVL $0, mask+%d(FP)", res+4)
	w("\tRET")
	w("%s_hit:", k.name)
	w("\tMOVL DX, grp+%d(FP)", res)
	w("\tMOVL R10, mask+%d(FP)", res+4)
	w("\tRET")
	w("")
}
