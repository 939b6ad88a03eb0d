package sha256d

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// requireEnv names a comma-separated list of kernels that must run (not be skipped); CI on a
// machine with SHA-NI and AVX2 sets it so a detection bug cannot silently skip a kernel.
const requireEnv = "SHA256D_REQUIRE"

// testKernels returns every kernel compiled into the test binary that this CPU can run, plus the
// portable kernel, logging why any other is skipped.
func testKernels(t testing.TB) []Kernel {
	t.Helper()
	required := map[string]bool{}
	for _, name := range strings.Split(os.Getenv(requireEnv), ",") {
		if name = strings.TrimSpace(name); name != "" {
			required[name] = true
		}
	}
	ks := []Kernel{goKernel}
	delete(required, goKernel.name)
	for _, ki := range compiledKernels() {
		must := required[ki.k.name]
		delete(required, ki.k.name)
		if !ki.ok {
			if must {
				t.Fatalf("kernel %s is required by %s but cannot run: %s", ki.k.name, requireEnv, ki.reason)
			}
			t.Logf("skipping kernel %s: %s", ki.k.name, ki.reason)
			continue
		}
		ks = append(ks, ki.k)
	}
	for name := range required {
		t.Fatalf("kernel %s is required by %s but is not compiled into this binary", name, requireEnv)
	}
	return ks
}

type vector struct {
	Height    int    `json:"height"`
	Bits      string `json:"bits"`
	Nonce     uint32 `json:"nonce"`
	HeaderHex string `json:"header_hex"`
	Hash      string `json:"hash"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/mainnet_headers.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Headers []vector }
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Headers) == 0 {
		t.Fatal("no vectors")
	}
	return f.Headers
}

func (v vector) header(t testing.TB) *[80]byte {
	t.Helper()
	b, err := hex.DecodeString(v.HeaderHex)
	if err != nil || len(b) != 80 {
		t.Fatalf("bad header_hex for height %d", v.Height)
	}
	return (*[80]byte)(b)
}

// targetFromBits expands a compact target into little-endian target bytes.
func targetFromBits(t testing.TB, bitsHex string) *[32]byte {
	t.Helper()
	b, err := hex.DecodeString(bitsHex)
	if err != nil || len(b) != 4 {
		t.Fatalf("bad bits %q", bitsHex)
	}
	exp := uint(b[0])
	mant := new(big.Int).SetBytes(b[1:])
	tgt := mant.Lsh(mant, 8*(exp-3))
	return leTarget(tgt)
}

func leTarget(x *big.Int) *[32]byte {
	var out [32]byte
	be := x.FillBytes(make([]byte, 32))
	for i := range be {
		out[31-i] = be[i]
	}
	return &out
}

// topTarget returns a target whose most significant 32-bit word is top and the rest all ones.
func topTarget(top uint32) *[32]byte {
	var out [32]byte
	for i := range out {
		out[i] = 0xff
	}
	binary.LittleEndian.PutUint32(out[28:], top)
	return &out
}

// refHash is the double SHA-256 of header with nonce n, via crypto/sha256.
func refHash(header *[80]byte, n uint32) [32]byte {
	h := *header
	binary.LittleEndian.PutUint32(h[76:], n)
	first := sha256.Sum256(h[:])
	return sha256.Sum256(first[:])
}

// refMeets compares a digest, as a little-endian number, with a little-endian target.
func refMeets(hash, target *[32]byte) bool {
	for i := 31; i >= 0; i-- {
		if hash[i] != target[i] {
			return hash[i] < target[i]
		}
	}
	return true
}

// refScan returns every nonce in [start, start+count) (wrapping) that meets target.
func refScan(header *[80]byte, target *[32]byte, start, count uint32) []uint32 {
	var out []uint32
	for i := uint32(0); i < count; i++ {
		h := refHash(header, start+i)
		if refMeets(&h, target) {
			out = append(out, start+i)
		}
	}
	return out
}

// scanAll scans the range in batches of batch nonces with a found buffer of size cap,
// resuming after every early stop, and returns all candidates.
func scanAll(t testing.TB, k Kernel, j *Job, start, count, batch uint32, capacity int) []uint32 {
	t.Helper()
	var all []uint32
	found := make([]uint32, capacity)
	done := uint32(0)
	for done < count {
		c := min(batch, count-done)
		scanned, n := k.Scan(j, start+done, c, found)
		all = append(all, found[:n]...)
		if scanned > c {
			t.Fatalf("%s: scanned %d of a batch of %d", k.name, scanned, c)
		}
		if scanned < c && n < len(found) {
			t.Fatalf("%s: stopped at %d of %d with found not full (%d/%d)", k.name, scanned, c, n, len(found))
		}
		if scanned == 0 && n == 0 && c > 0 && capacity == 0 {
			t.Fatalf("%s: no progress with an empty found buffer", k.name)
		}
		done += scanned
	}
	return all
}

func randomHeader(r *rand.Rand) *[80]byte {
	var h [80]byte
	for i := range h {
		h[i] = byte(r.Uint32())
	}
	return &h
}

func TestKnownNonces(t *testing.T) {
	vs := loadVectors(t)
	for _, k := range testKernels(t) {
		for _, v := range vs {
			hdr := v.header(t)
			j := NewJob(hdr, targetFromBits(t, v.Bits))
			const window = 1000
			start := v.Nonce - window
			for _, batch := range []uint32{2*window + 1, 1, 3, 64, 333} {
				got := scanAll(t, k, j, start, 2*window+1, batch, 4)
				if !slices.Equal(got, []uint32{v.Nonce}) {
					t.Errorf("%s height %d batch %d: found %v, want [%d]", k.name, v.Height, batch, got, v.Nonce)
				}
			}
			hb := j.hashBytes(v.Nonce)
			slices.Reverse(hb[:])
			if got := hex.EncodeToString(hb[:]); got != v.Hash {
				t.Errorf("height %d: hash %s, want %s", v.Height, got, v.Hash)
			}
		}
	}
}

// TestDifferential compares every kernel's candidates with double crypto/sha256 over random
// headers, for targets from "none" to "every nonce".
func TestDifferential(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tops := []uint32{0, 0x0fffffff, 0x7fffffff, 0xffffffff, 0x00ffffff}
	n := uint32(1 << 13)
	if testing.Short() {
		n = 1 << 10
	}
	for _, k := range testKernels(t) {
		for i, top := range tops {
			hdr := randomHeader(r)
			tgt := topTarget(top)
			start := r.Uint32()
			want := refScan(hdr, tgt, start, n)
			j := NewJob(hdr, tgt)
			got := scanAll(t, k, j, start, n, n, int(n))
			if !slices.Equal(got, want) {
				t.Errorf("%s case %d (top %#x): %d candidates, want %d", k.name, i, top, len(got), len(want))
			}
		}
	}
}

// TestTargetBoundary puts the target exactly at a nonce's hash, so the early exit sees an equal
// top word and the exact compare decides.
func TestTargetBoundary(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, k := range testKernels(t) {
		hdr := randomHeader(r)
		nonce := r.Uint32()
		h := refHash(hdr, nonce)
		hashNum := new(big.Int).SetBytes(reversed(h[:]))
		for _, tc := range []struct {
			delta int64
			want  bool
		}{{0, true}, {1, true}, {-1, false}} {
			tgt := new(big.Int).Add(hashNum, big.NewInt(tc.delta))
			j := NewJob(hdr, leTarget(tgt))
			found := make([]uint32, 8)
			_, n := k.Scan(j, nonce, 1, found)
			if (n == 1) != tc.want {
				t.Errorf("%s: target = hash%+d: found %v, want %v", k.name, tc.delta, n == 1, tc.want)
			}
		}
	}
}

func reversed(b []byte) []byte {
	out := bytes.Clone(b)
	slices.Reverse(out)
	return out
}

func TestWrapAround(t *testing.T) {
	hdr := randomHeader(rand.New(rand.NewPCG(5, 6)))
	tgt := topTarget(0xffffffff)
	tgt[0] = 0 // not every hash qualifies in principle, but in practice all do
	want := refScan(hdr, tgt, 0xfffffff9, 17)
	if len(want) != 17 || want[6] != 0xffffffff || want[7] != 0 {
		t.Fatalf("reference scan: %x", want)
	}
	for _, k := range testKernels(t) {
		j := NewJob(hdr, tgt)
		found := make([]uint32, 32)
		scanned, n := k.Scan(j, 0xfffffff9, 17, found)
		if scanned != 17 || !slices.Equal(found[:n], want) {
			t.Errorf("%s: scanned %d, found %x, want 17 and %x", k.name, scanned, found[:n], want)
		}
	}
}

// TestCounts scans every count from 0 to 40 (not multiples of any interleave width) at a target
// half of all nonces meet.
func TestCounts(t *testing.T) {
	hdr := randomHeader(rand.New(rand.NewPCG(7, 8)))
	tgt := topTarget(0x7fffffff)
	const start = 0xfffffff0
	all := refScan(hdr, tgt, start, 40)
	for _, k := range testKernels(t) {
		j := NewJob(hdr, tgt)
		found := make([]uint32, 64)
		for count := uint32(0); count <= 40; count++ {
			scanned, n := k.Scan(j, start, count, found)
			var want []uint32
			for _, x := range all {
				if x-start < count {
					want = append(want, x)
				}
			}
			if scanned != count || !slices.Equal(found[:n], want) {
				t.Errorf("%s count %d: scanned %d found %x, want %x", k.name, count, scanned, found[:n], want)
			}
		}
	}
}

// TestFoundFull resumes after every stop with found buffers of 0..5 entries.
func TestFoundFull(t *testing.T) {
	hdr := randomHeader(rand.New(rand.NewPCG(9, 10)))
	tgt := topTarget(0x7fffffff)
	const start, count = 100, 300
	want := refScan(hdr, tgt, start, count)
	for _, k := range testKernels(t) {
		j := NewJob(hdr, tgt)
		for capacity := 1; capacity <= 5; capacity++ {
			if got := scanAll(t, k, j, start, count, count, capacity); !slices.Equal(got, want) {
				t.Errorf("%s cap %d: found %x, want %x", k.name, capacity, got, want)
			}
		}
		// An empty buffer stops at the first qualifying nonce without writing it.
		scanned, n := k.Scan(j, start, count, nil)
		if n != 0 || start+scanned != want[0] {
			t.Errorf("%s empty buffer: scanned %d wrote %d, want to stop at nonce %d", k.name, scanned, n, want[0])
		}
	}
}

func TestZeroAllocs(t *testing.T) {
	hdr := randomHeader(rand.New(rand.NewPCG(11, 12)))
	j := NewJob(hdr, topTarget(0x00ffffff))
	found := make([]uint32, 16)
	for _, k := range testKernels(t) {
		if a := testing.AllocsPerRun(20, func() { k.Scan(j, 0, 1000, found) }); a != 0 {
			t.Errorf("%s: %v allocations per Scan", k.name, a)
		}
	}
}

func TestByName(t *testing.T) {
	for _, k := range Available() {
		got, err := ByName(k.Name())
		if err != nil || got.Name() != k.Name() {
			t.Errorf("ByName(%q) = %q, %v", k.Name(), got.Name(), err)
		}
	}
	for _, name := range []string{"", "auto"} {
		if got, err := ByName(name); err != nil || got.Name() != Best().Name() {
			t.Errorf("ByName(%q) = %q, %v; want best %q", name, got.Name(), err, Best().Name())
		}
	}
	if _, err := ByName("no-such-kernel"); err == nil || !strings.Contains(err.Error(), "go") {
		t.Errorf("unknown kernel: err %v, want one listing the available kernels", err)
	}
	if last := Available()[len(Available())-1]; last.Name() != "go" {
		t.Errorf("last available kernel %q, want go", last.Name())
	}
}

// FuzzScan checks every kernel against double crypto/sha256 on arbitrary headers, ranges and
// target top words.
func FuzzScan(f *testing.F) {
	f.Add(make([]byte, 80), uint32(0), uint16(100), uint32(0x7fffffff))
	f.Add(bytes.Repeat([]byte{0xff}, 80), uint32(0xffffffe0), uint16(64), uint32(0x0fffffff))
	ks := testKernels(f)
	f.Fuzz(func(t *testing.T, hb []byte, start uint32, count uint16, top uint32) {
		if len(hb) < 80 {
			hb = append(hb, make([]byte, 80-len(hb))...)
		}
		hdr := (*[80]byte)(hb[:80])
		c := uint32(count % 512)
		tgt := topTarget(top)
		want := refScan(hdr, tgt, start, c)
		j := NewJob(hdr, tgt)
		for _, k := range ks {
			if got := scanAll(t, k, j, start, c, c, 1+int(c)); !slices.Equal(got, want) {
				t.Fatalf("%s: found %x, want %x", k.name, got, want)
			}
		}
	})
}

// BenchmarkScan measures each kernel at a mainnet-like target, in batches like the CPU hasher's.
func BenchmarkScan(b *testing.B) {
	vs := loadVectors(b)
	v := vs[len(vs)-1]
	j := NewJob(v.header(b), targetFromBits(b, v.Bits))
	for _, k := range testKernels(b) {
		b.Run(k.Name(), func(b *testing.B) {
			const batch = 1 << 16
			found := make([]uint32, 16)
			b.ReportAllocs()
			nonce := uint32(0)
			for b.Loop() {
				k.Scan(j, nonce, batch, found)
				nonce += batch
			}
			b.ReportMetric(float64(b.N)*batch/b.Elapsed().Seconds()/1e6, "MH/s")
			b.ReportMetric(b.Elapsed().Seconds()*1e9/(float64(b.N)*batch), "ns/nonce")
		})
	}
}

// TestGoKernelForms checks the generated unrolled portable kernel against its loop form.
func TestGoKernelForms(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 18))
	for range 200 {
		j := NewJob(randomHeader(r), topTarget(0))
		n := r.Uint32()
		if got, want := h7Go(j, n), h7Generic(j, n); got != want {
			t.Fatalf("nonce %#x: h7Go %#x, h7Generic %#x", n, got, want)
		}
		if want := j.hash(n)[7]; h7Go(j, n) != want {
			t.Fatalf("nonce %#x: h7Go %#x, full hash word 7 %#x", n, h7Go(j, n), want)
		}
	}
}

// TestRegtestBlock scans the header of a real btcd regtest block (version 0x20400000, bits
// 0x207fffff, nonce 5, from /work/shared/vectors/btcd_regtest_segwit_block.hex): about half of
// all nonces meet regtest's target, the block's own nonce among them.
func TestRegtestBlock(t *testing.T) {
	data, err := os.ReadFile("testdata/btcd_regtest_header.hex")
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || len(b) != 80 {
		t.Fatalf("bad header file: %v", err)
	}
	hdr := (*[80]byte)(b)
	tgt := targetFromBits(t, "207fffff")
	want := refScan(hdr, tgt, 0, 200)
	if !slices.Contains(want, 5) {
		t.Fatalf("reference scan misses the block's nonce 5: %v", want)
	}
	for _, k := range testKernels(t) {
		j := NewJob(hdr, tgt)
		if got := scanAll(t, k, j, 0, 200, 200, 7); !slices.Equal(got, want) {
			t.Errorf("%s: found %v, want %v", k.name, got, want)
		}
	}
}

// TestLongCall scans more than maxCall nonces in one Scan, which the kernels split into several
// assembly calls, across the 0xFFFFFFFF wrap.
func TestLongCall(t *testing.T) {
	if testing.Short() {
		t.Skip("hashes half a million nonces per kernel")
	}
	hdr := randomHeader(rand.New(rand.NewPCG(19, 20)))
	tgt := topTarget(0x000fffff)
	const count = 2*maxCall + 5
	start := uint32(0xffffffff - maxCall)
	want := refScan(hdr, tgt, start, count)
	if len(want) < 20 {
		t.Fatalf("only %d reference candidates", len(want))
	}
	for _, k := range testKernels(t) {
		j := NewJob(hdr, tgt)
		found := make([]uint32, 2*len(want))
		scanned, n := k.Scan(j, start, count, found)
		if scanned != count || !slices.Equal(found[:n], want) {
			t.Errorf("%s: scanned %d, %d candidates; want %d and %d", k.name, scanned, n, count, len(want))
		}
	}
}
