package sha256d

import "math/bits"

// goWidth is the number of nonces the portable kernel tests per group.
const goWidth = 1

// scanGo is the portable kernel's group scanner: it tests nonces start, start+1, ... (groups of
// one) and returns the index of the first whose hash top word passes the early-exit test, with
// mask 1, or groups and mask 0 when none does.
func scanGo(j *Job, start, groups uint32) (g, mask uint32) {
	t7 := j.target[7]
	for g = 0; g < groups; g++ {
		if bits.ReverseBytes32(h7Go(j, start+g)) <= t7 {
			return g, 1
		}
	}
	return groups, 0
}

// h7Generic is the straightforward form of h7Go (kernel_go_h7.go, generated): the same
// midstate, precomputed rounds and early exit, with loops. Tests compare the two.

// computation that word does not depend on.
func h7Generic(j *Job, n uint32) uint32 {
	var w [64]uint32
	w3 := bits.ReverseBytes32(n)
	w[0], w[1], w[2], w[3] = j.w[0], j.w[1], j.w[2], w3
	w[4], w[15] = 0x80000000, 640
	w[16], w[17] = j.w16, j.w17
	for i := 18; i < 64; i++ {
		w[i] = sigma1(w[i-2]) + w[i-7] + sigma0(w[i-15]) + w[i-16]
	}
	a, b, c, d := j.s4[0]+w3, j.s4[1], j.s4[2], j.s4[3]
	e, f, g, h := j.s4[4]+w3, j.s4[5], j.s4[6], j.s4[7]
	for i := 4; i < 64; i++ {
		t1 := h + bigSigma1(e) + (e&f ^ ^e&g) + k256[i] + w[i]
		t2 := bigSigma0(a) + (a&b ^ a&c ^ b&c)
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	w[0], w[1], w[2], w[3] = a+j.mid[0], b+j.mid[1], c+j.mid[2], d+j.mid[3]
	w[4], w[5], w[6], w[7] = e+j.mid[4], f+j.mid[5], g+j.mid[6], h+j.mid[7]
	w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15] = 0x80000000, 0, 0, 0, 0, 0, 0, 256
	for i := 16; i < 61; i++ {
		w[i] = sigma1(w[i-2]) + w[i-7] + sigma0(w[i-15]) + w[i-16]
	}
	a, b, c, d = iv[0], iv[1], iv[2], iv[3]
	e, f, g, h = iv[4], iv[5], iv[6], iv[7]
	for i := 0; i < 57; i++ {
		t1 := h + bigSigma1(e) + (e&f ^ ^e&g) + k256[i] + w[i]
		t2 := bigSigma0(a) + (a&b ^ a&c ^ b&c)
		h, g, f, e, d, c, b, a = g, f, e, d+t1, c, b, a, t1+t2
	}
	// Rounds 57..60 only need the e path: the final h is the e produced by round 60, and the d
	// each of these rounds adds is an a that is already known.
	for i := 57; i < 61; i++ {
		t1 := h + bigSigma1(e) + (e&f ^ ^e&g) + k256[i] + w[i]
		h, g, f, e, d, c, b = g, f, e, d+t1, c, b, a
	}
	return e + iv[7]
}
