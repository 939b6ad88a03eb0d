package sha256d

import (
	"encoding/binary"
	"math/bits"
)

// Job is the per-work precomputation for one 80-byte header and target. Build it once per work
// item with NewJob; it is read-only afterwards, so many goroutines may share one *Job.
type Job struct {
	mid    [8]uint32 // state after header bytes 0..63
	w      [3]uint32 // block-2 words 0..2: merkle-root tail, time, bits
	s3     [8]uint32 // state after block-2 rounds 0..2 (nonce-independent)
	s4     [8]uint32 // state after block-2 rounds 0..3 with the nonce word W3 = 0
	w16    uint32    // block-2 schedule word 16 (nonce-independent)
	w17    uint32    // block-2 schedule word 17 (nonce-independent)
	target [8]uint32 // target as little-endian words; target[7] is the most significant
	arch   archJob   // per-architecture layout for the assembly kernels
}

// NewJob prepares header (80 bytes; the nonce field, bytes 76..79, is ignored) and target (the
// 256-bit target as little-endian bytes: target[31] is the most significant byte, the byte order
// of a block hash compared as a little-endian number).
func NewJob(header *[80]byte, target *[32]byte) *Job {
	j := &Job{}
	var block [16]uint32
	for i := range block {
		block[i] = binary.BigEndian.Uint32(header[4*i:])
	}
	j.mid = iv
	compress(&j.mid, &block)
	for i := range j.w {
		j.w[i] = binary.BigEndian.Uint32(header[64+4*i:])
	}
	for i := range j.target {
		j.target[i] = binary.LittleEndian.Uint32(target[4*i:])
	}
	// Rounds 0..2 use only W0..W2; round 3 adds W3 linearly to both a and e, so the state
	// after round 3 with W3 = 0 plus the nonce word in a and e is the real state.
	s := j.mid
	for i := 0; i < 3; i++ {
		s = round(s, k256[i]+j.w[i])
	}
	j.s3 = s
	j.s4 = round(s, k256[3])
	j.w16 = sigma0(j.w[1]) + j.w[0]
	j.w17 = sigma1(640) + sigma0(j.w[2]) + j.w[1]
	j.initArch()
	return j
}

// hash returns the double SHA-256 of the job's header with nonce n, as eight big-endian state
// words (the digest bytes are the words in big-endian order).
func (j *Job) hash(n uint32) [8]uint32 {
	block := [16]uint32{j.w[0], j.w[1], j.w[2], bits.ReverseBytes32(n), 0x80000000, 15: 640}
	s := j.mid
	compress(&s, &block)
	block2 := [16]uint32{s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], 0x80000000, 15: 256}
	h := iv
	compress(&h, &block2)
	return h
}

// meets reports whether nonce n's hash, read as a little-endian 256-bit number, is <= the target.
func (j *Job) meets(n uint32) bool {
	h := j.hash(n)
	for i := 7; i >= 0; i-- {
		// Little-endian word i of the hash is the byte-swapped state word i.
		w := bits.ReverseBytes32(h[i])
		if w != j.target[i] {
			return w < j.target[i]
		}
	}
	return true
}

// hashBytes returns the 32-byte double SHA-256 of the job's header with nonce n, in the byte
// order of the digest (reverse it for the display form of a block hash).
func (j *Job) hashBytes(n uint32) [32]byte {
	h := j.hash(n)
	var out [32]byte
	for i, w := range h {
		binary.BigEndian.PutUint32(out[4*i:], w)
	}
	return out
}
