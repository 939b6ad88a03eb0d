//go:build !purego

package sha256d

import (
	"math/bits"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestSHANITrace(t *testing.T) {
	if !detectX86().sha {
		t.Skip("no SHA-NI")
	}
	r := rand.New(rand.NewPCG(15, 16))
	j := NewJob(randomHeader(r), topTarget(0))
	n := r.Uint32()
	var out [6][4]uint32
	traceSHANI1(&j.arch, n, 1, &out)
	var w [64]uint32
	w[0], w[1], w[2], w[3], w[4], w[15] = j.w[0], j.w[1], j.w[2], bits.ReverseBytes32(n), 0x80000000, 640
	for i := 16; i < 64; i++ {
		w[i] = sigma1(w[i-2]) + w[i-7] + sigma0(w[i-15]) + w[i-16]
	}
	s := j.mid
	for i := 0; i < 64; i++ {
		s = round(s, k256[i]+w[i])
	}
	check := func(what string, got, want [4]uint32) {
		if got != want {
			t.Errorf("%s: %08x, want %08x", what, got, want)
		}
	}
	check("block2 abef", out[0], abef(&s))
	check("block2 cdgh", out[1], cdgh(&s))
	var h [8]uint32
	for i := range h {
		h[i] = s[i] + j.mid[i]
	}
	check("hash1 0..3", out[2], [4]uint32(h[0:4]))
	check("hash1 4..7", out[3], [4]uint32(h[4:8]))
	w = [64]uint32{h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 0x80000000, 15: 256}
	for i := 16; i < 64; i++ {
		w[i] = sigma1(w[i-2]) + w[i-7] + sigma0(w[i-15]) + w[i-16]
	}
	s = iv
	for i := 0; i < 62; i++ {
		s = round(s, k256[i]+w[i])
	}
	check("hash2 abef", out[4], abef(&s))
	check("hash2 cdgh", out[5], cdgh(&s))
}

// TestDetectMatchesProcCPUInfo cross-checks the CPUID stub with the kernel's view of the CPU.
func TestDetectMatchesProcCPUInfo(t *testing.T) {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip("no /proc/cpuinfo: ", err)
	}
	var flags []string
	for _, line := range strings.Split(string(data), "\n") {
		if name, rest, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "flags" {
			flags = strings.Fields(rest)
			break
		}
	}
	if flags == nil {
		t.Skip("no flags line in /proc/cpuinfo")
	}
	f := detectX86()
	for _, c := range []struct {
		flag string
		got  bool
	}{{"sha_ni", f.sha}, {"avx2", f.avx2}, {"ssse3", f.ssse3}, {"sse4_1", f.sse41}} {
		if want := slices.Contains(flags, c.flag); c.got != want {
			t.Errorf("cpuid says %s = %v, /proc/cpuinfo says %v", c.flag, c.got, want)
		}
	}
}

// TestRolledTopWord recovers, by binary search on the target top word, the hash top word the
// rolled SHA-NI kernel computes for each version, and compares it with the portable kernel's.
func TestRolledTopWord(t *testing.T) {
	if !detectX86().sha {
		t.Skip("no SHA-NI")
	}
	r := rand.New(rand.NewPCG(27, 28))
	for range 4 {
		versions := [Versions]uint32{r.Uint32(), r.Uint32(), r.Uint32()}
		rj := NewRolledJob(randomHeader(r), &versions, topTarget(0))
		n := r.Uint32()
		for v := range Versions {
			jj := *rj
			lo, hi := uint64(0), uint64(1)<<32
			for lo < hi {
				mid := (lo + hi) / 2
				jj.arch.t7 = uint32(mid)
				if _, mask := scanSHANI3R(&jj.arch, n, 1); mask&(1<<v) != 0 {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			if want := bits.ReverseBytes32(h7Go(rj.jobs[v], n)); uint32(lo) != want {
				t.Errorf("version %d: top word %#x, want %#x", v, lo, want)
			}
		}
	}
}
