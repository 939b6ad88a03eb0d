package proto

import (
	"math"
	"math/big"
)

// Targets here are 32-byte little-endian numbers (index 31 most
// significant), the byte order of a block hash as SHA-256d produces it.

// TicketTarget is the easiest hash a chip with ticket difficulty 2^k reports:
// the largest value whose top 32+k bits are zero.
func TicketTarget(k int) [32]byte {
	var t [32]byte
	for i := 0; i < 224-k && i < 256; i++ {
		t[i/8] |= 1 << (i % 8)
	}
	return t
}

// diff1 is the target of difficulty 1: 0xFFFF << 208.
var diff1 = new(big.Int).Lsh(big.NewInt(0xFFFF), 208)

// DifficultyTarget is the target of share difficulty d (diff1 / d), the
// largest target when d <= 0.
func DifficultyTarget(d float64) [32]byte {
	var t [32]byte
	if d <= 0 || math.IsNaN(d) {
		for i := range t {
			t[i] = 0xff
		}
		return t
	}
	q := new(big.Float).Quo(new(big.Float).SetInt(diff1), big.NewFloat(d))
	v, _ := q.Int(nil)
	if v.BitLen() > 256 {
		return DifficultyTarget(0)
	}
	b := v.Bytes()
	for i := range b {
		t[i] = b[len(b)-1-i]
	}
	return t
}

// MeetsTarget reports whether hash h is at or below target t.
func MeetsTarget(h, t *[32]byte) bool {
	for i := 31; i >= 0; i-- {
		if h[i] != t[i] {
			return h[i] < t[i]
		}
	}
	return true
}
