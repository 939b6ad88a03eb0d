package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/soloist-miner/soloist/miner/sha256d"
)

// Block 125552 (the header as hashed, its nonce and its display hash).
const (
	block125552Nonce = 2504433986
	block125552Hash  = "00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d"
	genesisHeader    = "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd" +
		"7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c"
	genesisNonce = 2083236893
	genesisHash  = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
)

func runBenchT(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runBench(args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestBenchRemineBlock125552 re-mines block 125552 with every kernel the CPU has: the real
// nonce, and nothing else, comes out of a window around it.
func TestBenchRemineBlock125552(t *testing.T) {
	want := fmt.Sprintf("nonce=%d hash=%s\n", block125552Nonce, block125552Hash)
	for _, k := range sha256d.Available() {
		for _, cpus := range []string{"1", "3"} {
			code, out, errs := runBenchT(t, "--header", benchHeader, "--start", fmt.Sprint(block125552Nonce-5000),
				"--count", "10001", "--kernel", k.Name(), "--cpu", cpus)
			if code != 0 || out != want || errs != "" {
				t.Errorf("%s --cpu %s: exit %d, stdout %q, stderr %q; want 0 and %q", k.Name(), cpus, code, out, errs, want)
			}
		}
	}
}

func TestBenchGenesisJSON(t *testing.T) {
	code, out, errs := runBenchT(t, "--header", genesisHeader, "--start", "0x7c2ba000", "--count", "8192", "--json")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var r scanResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not json: %v\n%s", err, out)
	}
	if len(r.Found) != 1 || r.Found[0].Nonce != genesisNonce || r.Found[0].Hash != genesisHash {
		t.Errorf("found %+v, want nonce %d hash %s", r.Found, genesisNonce, genesisHash)
	}
	if r.Target != "00000000ffff0000000000000000000000000000000000000000000000000000" {
		t.Errorf("target %s, want the difficulty-1 target", r.Target)
	}
}

// TestBenchEasyTarget scans a header with regtest's bits (about half of all nonces qualify) on
// several threads and compares the lines, in order, with double crypto/sha256.
func TestBenchEasyTarget(t *testing.T) {
	hdr, _ := hex.DecodeString(genesisHeader)
	binary.LittleEndian.PutUint32(hdr[72:], 0x207fffff)
	const start, count = 0xfffffe00, 1500 // wraps past 0xffffffff
	var want strings.Builder
	for i := uint32(0); i < count; i++ {
		binary.LittleEndian.PutUint32(hdr[76:], start+i)
		first := sha256.Sum256(hdr)
		h := sha256.Sum256(first[:])
		slices.Reverse(h[:])
		if h[0] < 0x80 {
			fmt.Fprintf(&want, "nonce=%d hash=%x\n", start+i, h)
		}
	}
	for _, k := range sha256d.Available() {
		code, out, errs := runBenchT(t, "--header", hex.EncodeToString(hdr), "--start", fmt.Sprint(uint32(start)),
			"--count", fmt.Sprint(count), "--cpu", "3", "--kernel", k.Name())
		if code != 0 || errs != "" || out != want.String() {
			t.Errorf("%s: exit %d stderr %q, %d lines; want %d lines", k.Name(), code, errs,
				strings.Count(out, "\n"), strings.Count(want.String(), "\n"))
		}
	}
}

func TestBenchThroughputJSON(t *testing.T) {
	code, out, errs := runBenchT(t, "--cpu", "2", "--seconds", "0.2", "--json")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var r benchResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("stdout is not json: %v\n%s", err, out)
	}
	if r.Kernel != sha256d.Best().Name() || r.Threads != 2 || r.Hashes == 0 || len(r.ThreadRates) != 2 ||
		r.HashesPerSec <= 0 || r.PerThread != r.HashesPerSec/2 || r.Seconds < 0.2 {
		t.Errorf("implausible result %+v", r)
	}
	// Two threads cannot get more cpu time than the wall time each ran; per cpu-second a thread
	// is at least as fast as per wall-second.
	if r.CPUSeconds > 0 && (r.CPUSeconds > 2*r.Seconds*1.05 || r.PerCPUSecond < r.PerThread*0.95) {
		t.Errorf("cpu time %.3fs for 2 threads over %.3fs, %.0f H/cpu-s vs %.0f H/s per thread",
			r.CPUSeconds, r.Seconds, r.PerCPUSecond, r.PerThread)
	}
}

func TestBenchThroughputText(t *testing.T) {
	code, out, errs := runBenchT(t, "--cpu", "1", "--seconds", "0.1", "--kernel", "go")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, want := range []string{"kernel      go\n", "threads     1\n", "MH/s\n", "per thread"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestBenchBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--header", "abcd", "--count", "1"}, "160 hex digits"},
		{[]string{"--header", strings.Repeat("zz", 80), "--count", "1"}, "not hex"},
		{[]string{"--header", genesisHeader}, "--count is required"},
		{[]string{"--header", genesisHeader, "--count", "4294967297"}, "--count must be"},
		{[]string{"--header", genesisHeader, "--count", "1", "--start", "-1"}, "--start must be"},
		{[]string{"--header", genesisHeader, "--count", "1", "--seconds", "3"}, "--seconds does not apply"},
		{[]string{"--count", "5"}, "need --header"},
		{[]string{"--kernel", "no-such"}, `unknown kernel "no-such"`},
		{[]string{"--cpu", "0"}, "--cpu must be"},
		{[]string{"--seconds", "0"}, "--seconds must be"},
		{[]string{"--bogus"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
		{[]string{"--header", strings.Replace(genesisHeader, "ffff001d", "ffff8020", 1), "--count", "1"}, "negative target"},
	} {
		code, out, errs := runBenchT(t, tc.args...)
		if code != 2 || out != "" || !strings.Contains(errs, tc.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%q: exit %d stdout %q stderr %q; want exit 2 and one line containing %q", tc.args, code, out, errs, tc.want)
		}
	}
}

func TestBenchHelp(t *testing.T) {
	code, out, _ := runBenchT(t, "--help")
	if code != 0 || !strings.Contains(out, "usage: soloist bench") || !strings.Contains(out, "-kernel") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

func TestBenchAllKernels(t *testing.T) {
	code, out, errs := runBenchT(t, "--kernel", "all", "--cpu", "1", "--seconds", "0.05", "--json")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	var rs []benchResult
	if err := json.Unmarshal([]byte(out), &rs); err != nil {
		t.Fatalf("stdout is not a json array: %v\n%s", err, out)
	}
	var got, want []string
	for _, r := range rs {
		got = append(got, r.Kernel)
		if r.Hashes == 0 {
			t.Errorf("%s hashed nothing", r.Kernel)
		}
	}
	for _, k := range sha256d.Available() {
		want = append(want, k.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("measured %v, want every available kernel %v", got, want)
	}
	code, out, _ = runBenchT(t, "--kernel", "all", "--cpu", "1", "--seconds", "0.05")
	if code != 0 || strings.Count(out, "\n") != 1+len(want) || !strings.Contains(out, "MH/s/cpu-second") {
		t.Errorf("text table: exit %d\n%s", code, out)
	}
}

// TestBenchHeaderScanThreads splits a header scan of more than three batches over three
// threads; the lines must still be every qualifying nonce in scan order.
func TestBenchHeaderScanThreads(t *testing.T) {
	hdr, _ := hex.DecodeString(genesisHeader)
	binary.LittleEndian.PutUint32(hdr[72:], 0x1f0fffff) // about one nonce in 4096 qualifies
	const count = 3*benchBatch + 7
	start := uint32(0xffffffff - benchBatch) // wraps inside the second share
	target := make([]byte, 32)               // big-endian, as the display hash
	target[1], target[2], target[3] = 0x0f, 0xff, 0xff
	var want strings.Builder
	for i := uint32(0); i < count; i++ {
		binary.LittleEndian.PutUint32(hdr[76:], start+i)
		first := sha256.Sum256(hdr)
		h := sha256.Sum256(first[:])
		slices.Reverse(h[:])
		if bytes.Compare(h[:], target) <= 0 {
			fmt.Fprintf(&want, "nonce=%d hash=%x\n", start+i, h)
		}
	}
	if strings.Count(want.String(), "\n") < 50 {
		t.Fatalf("only %d reference lines", strings.Count(want.String(), "\n"))
	}
	code, out, errs := runBenchT(t, "--header", hex.EncodeToString(hdr), "--start", fmt.Sprint(start),
		"--count", fmt.Sprint(count), "--cpu", "3")
	if code != 0 || errs != "" || out != want.String() {
		t.Errorf("exit %d stderr %q, %d lines; want %d lines", code, errs,
			strings.Count(out, "\n"), strings.Count(want.String(), "\n"))
	}
}
