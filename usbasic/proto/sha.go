package proto

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"hash"
)

// Midstate is the SHA-256 state S0..S7 after compressing header bytes
// H[0..63] from the standard IV.
type Midstate [8]uint32

// sha256 marshalled state: magic, 8 state words, 64-byte block, byte count.
const (
	shaMagic      = "sha\x03"
	shaMarshalLen = 4 + 32 + 64 + 8
)

// ComputeMidstate returns the midstate of the first 64 bytes of header.
func ComputeMidstate(header []byte) Midstate {
	h := sha256.New()
	h.Write(header[:64])
	b, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
	var m Midstate
	for i := range m {
		m[i] = binary.BigEndian.Uint32(b[4+4*i:])
	}
	return m
}

// Field returns the 32-byte MIDSTATE_FIELD every chip takes:
// BE32(S7) ‖ … ‖ BE32(S0).
func (m Midstate) Field() [32]byte {
	var f [32]byte
	for i := 0; i < 8; i++ {
		binary.BigEndian.PutUint32(f[4*i:], m[7-i])
	}
	return f
}

// MidstateFromField is the inverse of Midstate.Field.
func MidstateFromField(f []byte) Midstate {
	var m Midstate
	for i := 0; i < 8; i++ {
		m[7-i] = binary.BigEndian.Uint32(f[4*i:])
	}
	return m
}

// Tail returns the 12-byte TAIL_FIELD of a header: nBits H[72..75], nTime
// H[68..71], merkle tail H[64..67], each in header byte order.
func Tail(header []byte) [12]byte {
	var t [12]byte
	copy(t[0:4], header[72:76])
	copy(t[4:8], header[68:72])
	copy(t[8:12], header[64:68])
	return t
}

// Hasher hashes nonces of one (midstate, tail) pair, as a chip does. The
// zero value is not usable; use NewHasher. A Hasher is not safe for
// concurrent use.
type Hasher struct {
	state [shaMarshalLen]byte
	block [16]byte // H[64..79]
	d     hash.Hash
}

// NewHasher returns a Hasher for midstate m and TAIL_FIELD tail.
func NewHasher(m Midstate, tail [12]byte) *Hasher {
	h := &Hasher{d: sha256.New()}
	copy(h.state[:], shaMagic)
	for i := range m {
		binary.BigEndian.PutUint32(h.state[4+4*i:], m[i])
	}
	binary.BigEndian.PutUint64(h.state[shaMarshalLen-8:], 64)
	copy(h.block[0:4], tail[8:12])
	copy(h.block[4:8], tail[4:8])
	copy(h.block[8:12], tail[0:4])
	return h
}

// Hash returns the double SHA-256 of the header with nonce bytes n
// (H[76..79]), in the internal byte order of a block hash (index 31 most
// significant).
func (h *Hasher) Hash(n [4]byte) [32]byte {
	d := h.d
	if err := d.(encoding.BinaryUnmarshaler).UnmarshalBinary(h.state[:]); err != nil {
		panic("proto: sha256 state format changed: " + err.Error())
	}
	var blk [16]byte
	copy(blk[:12], h.block[:12])
	copy(blk[12:], n[:])
	d.Write(blk[:])
	var first [32]byte
	d.Sum(first[:0])
	return sha256.Sum256(first[:])
}

// Zero32 reports whether the top 32 bits of hash are zero (difficulty ≥ ~1,
// the chips' "diff-1 valid").
func Zero32(hash *[32]byte) bool {
	return hash[28]|hash[29]|hash[30]|hash[31] == 0
}

// LeadingZeros returns the number of leading zero bits of hash read as a
// 256-bit little-endian number.
func LeadingZeros(hash *[32]byte) int {
	n := 0
	for i := 31; i >= 0; i-- {
		b := hash[i]
		if b == 0 {
			n += 8
			continue
		}
		for b&0x80 == 0 {
			n++
			b <<= 1
		}
		return n
	}
	return n
}
