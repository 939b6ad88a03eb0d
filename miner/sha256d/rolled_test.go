package sha256d

import (
	"encoding/binary"
	"math/rand/v2"
	"slices"
	"testing"
)

// refScanRolled returns every (nonce, version) in [start, start+count) meeting target, by nonce
// and then in the order of versions, via crypto/sha256.
func refScanRolled(header *[80]byte, versions *[Versions]uint32, target *[32]byte, start, count uint32) []Hit {
	var out []Hit
	h := *header
	for i := uint32(0); i < count; i++ {
		for _, ver := range versions {
			binary.LittleEndian.PutUint32(h[0:4], ver)
			sum := refHash(&h, start+i)
			if refMeets(&sum, target) {
				out = append(out, Hit{Nonce: start + i, Version: ver})
			}
		}
	}
	return out
}

// scanAllRolled scans a range with a found buffer of capacity hits, resuming after each stop.
func scanAllRolled(t testing.TB, k Kernel, j *RolledJob, start, count uint32, capacity int) []Hit {
	t.Helper()
	var all []Hit
	found := make([]Hit, capacity)
	for done := uint32(0); done < count; {
		scanned, n := k.ScanRolled(j, start+done, count-done, found)
		if scanned < count-done && n+Versions <= len(found) {
			t.Fatalf("%s: stopped at %d of %d with room for %d more hits", k.name, scanned, count-done, len(found)-n)
		}
		all = append(all, found[:n]...)
		done += scanned
	}
	return all
}

var rollVersions = [Versions]uint32{0x20000000, 0x20002000, 0x3fffe000}

func TestRolledKnownNonce(t *testing.T) {
	vs := loadVectors(t)
	for _, k := range testKernels(t) {
		for _, v := range vs {
			hdr := v.header(t)
			versions := rollVersions
			versions[1] = binary.LittleEndian.Uint32(hdr[0:4]) // the block's own version in the middle
			j := NewRolledJob(hdr, &versions, targetFromBits(t, v.Bits))
			got := scanAllRolled(t, k, j, v.Nonce-500, 1001, 7)
			want := []Hit{{Nonce: v.Nonce, Version: versions[1]}}
			if !slices.Equal(got, want) {
				t.Errorf("%s (rolled %v) height %d: %v, want %v", k.name, k.Rolled(), v.Height, got, want)
			}
		}
	}
}

func TestRolledDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	n := uint32(3000)
	if testing.Short() {
		n = 500
	}
	for _, k := range testKernels(t) {
		for _, top := range []uint32{0, 0x0fffffff, 0x7fffffff, 0xffffffff} {
			hdr := randomHeader(r)
			versions := [Versions]uint32{r.Uint32(), r.Uint32(), r.Uint32()}
			tgt := topTarget(top)
			start := r.Uint32()
			want := refScanRolled(hdr, &versions, tgt, start, n)
			j := NewRolledJob(hdr, &versions, tgt)
			if got := scanAllRolled(t, k, j, start, n, 3*int(n)); !slices.Equal(got, want) {
				t.Errorf("%s (rolled %v) top %#x: %d hits, want %d", k.name, k.Rolled(), top, len(got), len(want))
			}
		}
	}
}

// TestRolledResume checks found-full stops with buffers of 3..7 hits, counts that are not
// multiples of any width, and the wrap past 0xFFFFFFFF, at a target half of all pairs meet.
func TestRolledResume(t *testing.T) {
	hdr := randomHeader(rand.New(rand.NewPCG(23, 24)))
	tgt := topTarget(0x7fffffff)
	const start = 0xffffffe0
	want := refScanRolled(hdr, &rollVersions, tgt, start, 80)
	for _, k := range testKernels(t) {
		j := NewRolledJob(hdr, &rollVersions, tgt)
		for capacity := Versions; capacity <= 7; capacity++ {
			for _, count := range []uint32{1, 2, 5, 17, 80} {
				var w []Hit
				for _, h := range want {
					if h.Nonce-start < count {
						w = append(w, h)
					}
				}
				if got := scanAllRolled(t, k, j, start, count, capacity); !slices.Equal(got, w) {
					t.Errorf("%s cap %d count %d: %v, want %v", k.name, capacity, count, got, w)
				}
			}
		}
		if scanned, n := k.ScanRolled(j, start, 80, make([]Hit, Versions-1)); scanned != 0 || n != 0 {
			t.Errorf("%s: a %d-hit buffer scanned %d and wrote %d, want nothing", k.name, Versions-1, scanned, n)
		}
		if scanned, n := k.ScanRolled(j, start, 0, make([]Hit, 8)); scanned != 0 || n != 0 {
			t.Errorf("%s: count 0 scanned %d and wrote %d", k.name, scanned, n)
		}
	}
}

func TestRolledZeroAllocs(t *testing.T) {
	hdr := randomHeader(rand.New(rand.NewPCG(25, 26)))
	j := NewRolledJob(hdr, &rollVersions, topTarget(0x00ffffff))
	found := make([]Hit, 16)
	for _, k := range testKernels(t) {
		if a := testing.AllocsPerRun(20, func() { k.ScanRolled(j, 0, 1000, found) }); a != 0 {
			t.Errorf("%s: %v allocations per ScanRolled", k.name, a)
		}
	}
}

// BenchmarkScanRolled measures nonce-version pairs per second (hashes) for each kernel.
func BenchmarkScanRolled(b *testing.B) {
	vs := loadVectors(b)
	v := vs[len(vs)-1]
	j := NewRolledJob(v.header(b), &rollVersions, targetFromBits(b, v.Bits))
	for _, k := range testKernels(b) {
		b.Run(k.Name(), func(b *testing.B) {
			const batch = 1 << 16
			found := make([]Hit, 16)
			b.ReportAllocs()
			nonce := uint32(0)
			for b.Loop() {
				k.ScanRolled(j, nonce, batch, found)
				nonce += batch
			}
			b.ReportMetric(float64(b.N)*batch*Versions/b.Elapsed().Seconds()/1e6, "MH/s")
		})
	}
}
