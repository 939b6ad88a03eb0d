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

// shaniStream is the register assignment of one interleaved nonce. Its message groups (W[4n..4n+3])
// live in a ring of registers; when the ring has fewer than four registers every group is also
// stored to one of four aligned stack slots, and groups older than the ring are read from there.
type shaniStream struct {
	idx        int
	abef, cdgh string
	ring       []string
	slot       int // frame offset of this stream's four message slots (ring < 4)
	last       int // newest group begun
}

func (s *shaniStream) mem() bool { return len(s.ring) < 4 }

// src returns an operand for group n.
func (s *shaniStream) src(n int) string {
	if n > s.last-len(s.ring) && n <= s.last {
		return s.ring[n%len(s.ring)]
	}
	if !s.mem() {
		panic(fmt.Sprintf("group %d no longer held (last %d)", n, s.last))
	}
	return fmt.Sprintf("%d(R8)", s.slot+16*(n%4))
}

// begin returns the register that receives group n, evicting the oldest group of the ring.
func (s *shaniStream) begin(n int) string {
	s.last = n
	return s.ring[n%len(s.ring)]
}

// end stores group n to its slot when the ring cannot hold every live group.
func (s *shaniStream) end(n int, e emitFn) {
	if s.mem() {
		e("MOVO %s, %d(R8)", s.ring[n%len(s.ring)], s.slot+16*(n%4))
	}
}

type emitFn func(string, ...any)

// operand is a message group reference (group >= 0) or a fixed memory operand.
type operand struct {
	group int
	fixed string
}

func grp(n int) operand      { return operand{group: n} }
func fixed(m string) operand { return operand{group: -1, fixed: m} }
func none() operand          { return operand{group: -2} }

func (o operand) ok() bool { return o.group != -2 }

func (s *shaniStream) resolve(o operand) string {
	if o.group >= 0 {
		return s.src(o.group)
	}
	return o.fixed
}

// step computes group n = [MSG1(a, b)] + [PALIGNR $4 (c, d)] + [add], then [MSG2 f]. Missing
// parts are none(); when there is neither a MSG1 nor a PALIGNR part, add initialises the group.
func (s *shaniStream) step(n int, a, b, c, d, add, f operand, e emitFn) {
	var ra, rb, rf, radd string
	if a.ok() {
		ra, rb = s.resolve(a), s.resolve(b)
	}
	if f.ok() {
		rf = s.resolve(f)
	}
	if add.ok() {
		radd = s.resolve(add)
	}
	if c.ok() {
		e("MOVO %s, X15", s.resolve(c))
		e("PALIGNR $4, %s, X15", s.resolve(d))
	}
	ringReg := s.begin(n)
	dst := ringReg
	if len(s.ring) == 1 {
		// The only ring register still holds group n-1, an input: build in X14.
		dst = "X14"
	}
	switch {
	case a.ok():
		if ra != dst {
			e("MOVO %s, %s", ra, dst)
		}
		e("SHA256MSG1 %s, %s", rb, dst)
		if c.ok() {
			e("PADDD X15, %s", dst)
		}
		if add.ok() {
			e("PADDD %s, %s", radd, dst)
		}
	case c.ok():
		e("MOVO X15, %s", dst)
		if add.ok() {
			e("PADDD %s, %s", radd, dst)
		}
	default:
		e("MOVO %s, %s", radd, dst)
	}
	if f.ok() {
		e("SHA256MSG2 %s, %s", rf, dst)
	}
	if dst != ringReg {
		e("MOVO %s, %s", dst, ringReg)
	}
	s.end(n, e)
}

// general computes group n from groups n-4..n-1 by the SHA-256 message schedule.
func (s *shaniStream) general(n int, e emitFn) {
	s.step(n, grp(n-4), grp(n-3), grp(n-1), grp(n-2), none(), grp(n-1), e)
}

func cst(off int) string { return fmt.Sprintf("shaniConst<>+%d(SB)", off) }
func job(off int) string { return fmt.Sprintf("%d(R8)", off) }

// Rolled-job layout (archRolled): the shared block-2 vectors, then per version s4 and midstate.
const (
	rW012    = 0
	rC16     = 16
	rX20     = 32
	rC28     = 48
	rVersion = 64 // + 64*v: s4ABEF, s4CDGH, midABEF, midCDGH
	rVectors = 16
	rT7      = 256
)

// jv returns the frame operand of job vector off (a j* offset) for stream s.
func (k *shaniKernel) jv(off int, s *shaniStream) string {
	if !k.rolled {
		return job(off)
	}
	switch off {
	case jW012:
		return job(rW012)
	case jC16:
		return job(rC16)
	case jX20:
		return job(rX20)
	case jC28:
		return job(rC28)
	case jS4ABEF:
		return job(rVersion + 64*s.idx)
	case jS4CDGH:
		return job(rVersion + 64*s.idx + 16)
	case jMidABEF:
		return job(rVersion + 64*s.idx + 32)
	case jMidCDGH:
		return job(rVersion + 64*s.idx + 48)
	}
	panic("unknown job vector")
}

func (k *shaniKernel) vectors() int {
	if k.rolled {
		return rVectors
	}
	return jVectors
}

// shaniKernel generates one interleaved SHA-NI group scanner.
type shaniKernel struct {
	name    string // Go function name
	width   int
	ringLen int
	lead    int  // how many quads ahead of its use a message group is computed
	fuse    bool // emit both halves of a message quad per stream (one fewer op per quad)
	// rolled: the streams are one nonce under three versions (BIP320 version rolling), so
	// block 2 is the same for all and its schedule (in sh) and W+K are computed once.
	rolled  bool
	sh      *shaniStream
	inB2    bool
	streams []*shaniStream
	out     *strings.Builder
	trace   bool // store intermediate states to the out argument (width 1 debugging aid)
}

// dump stores two registers to trace slots i and i+1.
func (k *shaniKernel) dump(i int, a, b string) {
	if k.trace {
		fmt.Fprintf(k.out, "\tMOVOU %s, %d(SI)\n\tMOVOU %s, %d(SI)\n", a, 16*i, b, 16*i+16)
	}
}

func newShaniKernel(name string, width, ringLen, lead int) *shaniKernel {
	k := &shaniKernel{name: name, width: width, ringLen: ringLen, lead: lead}
	r := 1
	next := func() string { r++; return fmt.Sprintf("X%d", r-1) }
	for i := 0; i < width; i++ {
		s := &shaniStream{idx: i}
		s.abef, s.cdgh = next(), next()
		for j := 0; j < ringLen; j++ {
			s.ring = append(s.ring, next())
		}
		k.streams = append(k.streams, s)
	}
	if r > 14 {
		panic("too many registers for " + name)
	}
	return k
}

func (k *shaniKernel) frame() int {
	n := 16*k.vectors() + 16
	if k.ringLen < 4 {
		n += 64 * k.width
	}
	return n
}

// phase emits the same step for every stream, one stream after another, so that independent
// dependency chains interleave.
func (k *shaniKernel) phase(f func(s *shaniStream, e emitFn)) {
	for _, s := range k.streams {
		f(s, func(format string, args ...any) {
			fmt.Fprintf(k.out, "\t"+format+"\n", args...)
		})
	}
}

func (k *shaniKernel) quadConst(lo int) {
	// SHA256RNDS2 only reads X0, so one load serves every stream.
	fmt.Fprintf(k.out, "\tMOVO %s, X0\n", cst(lo))
	k.phase(func(s *shaniStream, e emitFn) {
		e("SHA256RNDS2 X0, %s, %s", s.abef, s.cdgh)
	})
	fmt.Fprintf(k.out, "\tMOVO %s, X0\n", cst(lo+16))
	k.phase(func(s *shaniStream, e emitFn) {
		e("SHA256RNDS2 X0, %s, %s", s.cdgh, s.abef)
	})
}

func (k *shaniKernel) quadMsg(q int, onlyLo bool) {
	if k.rolled && k.inB2 {
		// One W+K for every stream.
		fmt.Fprintf(k.out, "\tMOVO %s, X0\n\tPADDD %s, X0\n", k.sh.src(q), cst(offKLO+16*q))
		k.phase(func(s *shaniStream, e emitFn) { e("SHA256RNDS2 X0, %s, %s", s.abef, s.cdgh) })
		fmt.Fprintf(k.out, "\tPSHUFD $0x0e, X0, X0\n")
		k.phase(func(s *shaniStream, e emitFn) { e("SHA256RNDS2 X0, %s, %s", s.cdgh, s.abef) })
		return
	}
	if k.fuse && !onlyLo {
		// Both halves per stream: the second half shuffles the W+K already in X0.
		k.phase(func(s *shaniStream, e emitFn) {
			e("MOVO %s, X0", s.src(q))
			e("PADDD %s, X0", cst(offKLO+16*q))
			e("SHA256RNDS2 X0, %s, %s", s.abef, s.cdgh)
			e("PSHUFD $0x0e, X0, X0")
			e("SHA256RNDS2 X0, %s, %s", s.cdgh, s.abef)
		})
		return
	}
	k.phase(func(s *shaniStream, e emitFn) {
		e("MOVO %s, X0", s.src(q))
		e("PADDD %s, X0", cst(offKLO+16*q))
		e("SHA256RNDS2 X0, %s, %s", s.abef, s.cdgh)
	})
	if onlyLo {
		return
	}
	k.phase(func(s *shaniStream, e emitFn) {
		e("PSHUFD $0x0e, %s, X0", s.src(q))
		e("PADDD %s, X0", cst(offKHI+16*q))
		e("SHA256RNDS2 X0, %s, %s", s.cdgh, s.abef)
	})
}

// rounds emits quads first..15 (the last one only half when short) with schedule steps 4..15
// (special ones from sched, the rest general), step n before quad max(n-lead, first+1) and
// never before quad n-3 has read the slot it reuses. Constant quads take W+K from the table at
// constBase+32*q.
func (k *shaniKernel) rounds(first int, sched map[int]func(*shaniStream, emitFn), isConst func(int) bool, constBase int, short bool) {
	next := 4
	for q := first; q < 16; q++ {
		for ; next < 16 && max(next-k.lead, first+1, next-3) <= q; next++ {
			f := sched[next]
			if f == nil {
				n := next
				f = func(s *shaniStream, e emitFn) { s.general(n, e) }
			}
			if k.rolled && k.inB2 {
				f(k.sh, func(format string, args ...any) { fmt.Fprintf(k.out, "\t"+format+"\n", args...) })
			} else {
				k.phase(f)
			}
		}
		if isConst(q) {
			k.quadConst(constBase + 32*q)
		} else {
			k.quadMsg(q, short && q == 15)
		}
	}
}

func (k *shaniKernel) body() {
	for _, s := range k.streams {
		s.last = -1
	}
	if k.rolled {
		// Block 2's schedule lives in the streams' ring registers, free until hash 2.
		var pool []string
		for _, s := range k.streams {
			pool = append(pool, s.ring...)
		}
		k.sh = &shaniStream{ring: pool[:4], last: -1}
		k.inB2 = true
	}
	// Block 2: the state after rounds 0..3 with the nonce word added to A and E; group 0 is
	// W0..W3 with the nonce word in lane 3.
	k.phase(func(s *shaniStream, e emitFn) {
		if !k.rolled || s.idx == 0 {
			e("MOVL BX, AX")
			if s.idx > 0 {
				e("ADDL $%d, AX", s.idx)
			}
			e("BSWAPL AX")
			e("MOVQ AX, X15")
			e("PSHUFD $0x11, X15, X15")
		}
		e("MOVO %s, %s", k.jv(jS4ABEF, s), s.abef)
		e("PADDD X15, %s", s.abef)
		e("MOVO %s, %s", k.jv(jS4CDGH, s), s.cdgh)
		if k.rolled {
			if s.idx == 0 {
				d := k.sh.begin(0)
				e("MOVO %s, %s", k.jv(jW012, s), d)
				e("PINSRD $3, AX, %s", d)
			}
			return
		}
		d := s.begin(0)
		e("MOVO %s, %s", k.jv(jW012, s), d)
		e("PINSRD $3, AX, %s", d)
		// Group 0 is only read from its register, by step 4: no store.
	})
	// Block-2 schedule steps; group n is emitted before quad n-lead.
	sched := map[int]func(s *shaniStream, e emitFn){
		// Group 4 = MSG1(W0..3, W4..7) + constants (W9..12 are zero; the sigma1 terms are per job).
		4: func(s *shaniStream, e emitFn) {
			s.step(4, grp(0), fixed(cst(offCW4)), none(), none(), fixed(k.jv(jC16, s)), none(), e)
		},
		// Group 5 = MSG2(per-job [W4+W13, W5+W14, W6+W15, W7+W16], group 4): sigma0 terms are zero.
		5: func(s *shaniStream, e emitFn) {
			s.step(5, none(), none(), none(), none(), fixed(k.jv(jX20, s)), grp(4), e)
		},
		// Group 6: the MSG1 part is all zero.
		6: func(s *shaniStream, e emitFn) {
			s.step(6, none(), none(), grp(5), grp(4), none(), grp(5), e)
		},
		// Group 7: the MSG1 part is a per-job constant.
		7: func(s *shaniStream, e emitFn) {
			s.step(7, none(), none(), grp(6), grp(5), fixed(k.jv(jC28, s)), grp(6), e)
		},
	}
	k.rounds(1, sched, func(q int) bool { return q < 4 }, offB2C-32, false)
	k.inB2 = false
	k.dump(0, k.streams[0].abef, k.streams[0].cdgh)
	// Feed-forward and repack into hash-2 groups 0 (A..D) and 1 (E..H); reset to the IV.
	k.phase(func(s *shaniStream, e emitFn) {
		e("PADDD %s, %s", k.jv(jMidABEF, s), s.abef)
		e("PADDD %s, %s", k.jv(jMidCDGH, s), s.cdgh)
		e("PSHUFD $0x1b, %s, %s", s.abef, s.abef)
		e("PSHUFD $0x1b, %s, %s", s.cdgh, s.cdgh)
		s.last = -1
		d := s.begin(0)
		e("MOVO %s, %s", s.abef, d)
		e("PUNPCKLQDQ %s, %s", s.cdgh, d)
		s.end(0, e)
		d = s.begin(1)
		e("MOVO %s, %s", s.abef, d)
		e("PUNPCKHQDQ %s, %s", s.cdgh, d)
		s.end(1, e)
		e("MOVO %s, %s", cst(offIVA), s.abef)
		e("MOVO %s, %s", cst(offIVC), s.cdgh)
	})
	k.dump(2, k.streams[0].src(0), k.streams[0].src(1))
	// Hash 2: W8..W15 are padding constants.
	sched = map[int]func(s *shaniStream, e emitFn){
		4: func(s *shaniStream, e emitFn) {
			s.step(4, grp(0), grp(1), none(), none(), none(), fixed(cst(offCW12)), e)
		},
		5: func(s *shaniStream, e emitFn) {
			s.step(5, grp(1), fixed(cst(offCW4)), grp(4), fixed(cst(offCW12)), none(), grp(4), e)
		},
		6: func(s *shaniStream, e emitFn) {
			s.step(6, none(), none(), grp(5), grp(4), fixed(cst(offCW4)), grp(5), e)
		},
		7: func(s *shaniStream, e emitFn) {
			s.step(7, fixed(cst(offCW12)), grp(4), grp(6), grp(5), none(), grp(6), e)
		},
	}
	k.rounds(0, sched, func(q int) bool { return q == 2 || q == 3 }, offH2C-64, true)
	// The single RNDS2 of the last quad left the new ABEF in the CDGH register.
	k.dump(4, k.streams[0].cdgh, k.streams[0].abef)
	// Early exit: lane 0 (F) after rounds 60 and 61 is e61, the final h before feed-forward.
	k.phase(func(s *shaniStream, e emitFn) {
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
	for i, s := range k.streams {
		s.slot = 16*k.vectors() + 64*i
	}
	w := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	w("// func %s(j *archJob, start, groups uint32) (grp, mask uint32)", k.name)
	w("// %d nonces per group, message schedule in %s.", k.width, map[bool]string{false: "registers", true: "registers and aligned stack slots"}[k.ringLen < 4])
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
	for i := 0; i < k.vectors(); i++ {
		w("\tMOVOU %d(DI), X0", 16*i)
		w("\tMOVO X0, %d(R8)", 16*i)
	}
	if k.rolled {
		w("\tMOVL %d(DI), R9", rT7)
	} else {
		w("\tMOVL %d(DI), R9", jT7)
	}
	w("\tXORL DX, DX")
	w("%s_loop:", k.name)
	w("\tXORL R10, R10")
	k.body()
	w("\tTESTL R10, R10")
	w("\tJNZ %s_hit", k.name)
	if k.rolled {
		w("\tINCL BX")
	} else {
		w("\tADDL $%d, BX", k.width)
	}
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
