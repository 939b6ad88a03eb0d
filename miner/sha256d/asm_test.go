//go:build !purego && (amd64 || arm64)

package sha256d

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

// kernelTop recovers the hash top word an assembly kernel computed for nonce n by binary search
// on the target top word it compares against.
func kernelTop(k Kernel, j *Job, n uint32) uint32 {
	jj := *j
	lo, hi := uint64(0), uint64(1)<<32 // smallest t7 that hits is in [lo, hi)
	for lo < hi {
		mid := (lo + hi) / 2
		jj.arch.t7 = uint32(mid)
		_, mask := k.scan(&jj, n, 1)
		if mask&1 != 0 {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return uint32(lo)
}

func TestKernelTopWord(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	for _, k := range testKernels(t) {
		if k.name == "go" {
			continue
		}
		for i := 0; i < 8; i++ {
			j := NewJob(randomHeader(r), topTarget(0))
			n := r.Uint32()
			want := bits.ReverseBytes32(h7Go(j, n))
			if got := kernelTop(k, j, n); got != want {
				t.Errorf("%s nonce %#x: top word %#x, want %#x", k.name, n, got, want)
			}
		}
	}
}
