package miner

import (
	"math"
	"math/big"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Targets are 32-byte little-endian numbers, the byte order of a block hash
// as it comes out of SHA-256d: index 31 is the most significant byte. A hash
// meets a target when, read the same way, it is not greater.

// diff1 is the target of difficulty 1 (nBits 0x1d00ffff).
var diff1 = blockchain.CompactToBig(0x1d00ffff)

// BitsToTarget expands compact nBits into a target.
func BitsToTarget(bits uint32) [32]byte {
	return bigToTarget(blockchain.CompactToBig(bits))
}

// DifficultyToTarget returns the target of share difficulty d (d > 0), capped
// at the largest 256-bit value.
func DifficultyToTarget(d float64) [32]byte {
	if d <= 0 || math.IsNaN(d) {
		return maxTarget()
	}
	t := new(big.Float).Quo(new(big.Float).SetInt(diff1), big.NewFloat(d))
	i, _ := t.Int(nil)
	return bigToTarget(i)
}

// BitsDifficulty is the network difficulty of nBits, as Core reports it.
func BitsDifficulty(bits uint32) float64 {
	t := blockchain.CompactToBig(bits)
	if t.Sign() <= 0 {
		return 0
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(diff1), new(big.Float).SetInt(t)).Float64()
	return f
}

// HashDifficulty is the share difficulty of a hash: diff1 / hash.
func HashDifficulty(h *chainhash.Hash) float64 {
	v := new(big.Int).SetBytes(reversed(h[:]))
	if v.Sign() == 0 {
		return math.Inf(1)
	}
	f, _ := new(big.Float).Quo(new(big.Float).SetInt(diff1), new(big.Float).SetInt(v)).Float64()
	return f
}

// MeetsTarget reports whether hash h is at or below target t.
func MeetsTarget(h *chainhash.Hash, t *[32]byte) bool {
	for i := 31; i >= 0; i-- {
		if h[i] != t[i] {
			return h[i] < t[i]
		}
	}
	return true
}

// easier returns the larger (easier) of two targets.
func easier(a, b [32]byte) [32]byte {
	for i := 31; i >= 0; i-- {
		if a[i] != b[i] {
			if a[i] > b[i] {
				return a
			}
			return b
		}
	}
	return a
}

func bigToTarget(v *big.Int) [32]byte {
	var t [32]byte
	if v.Sign() <= 0 {
		return t
	}
	if v.BitLen() > 256 {
		return maxTarget()
	}
	b := v.Bytes()
	for i := range b {
		t[i] = b[len(b)-1-i]
	}
	return t
}

func maxTarget() [32]byte {
	var t [32]byte
	for i := range t {
		t[i] = 0xff
	}
	return t
}

func reversed(b []byte) []byte {
	r := make([]byte, len(b))
	for i := range b {
		r[len(b)-1-i] = b[i]
	}
	return r
}
