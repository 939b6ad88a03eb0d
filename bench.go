package main

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soloist-miner/soloist/miner/sha256d"
	"github.com/soloist-miner/soloist/miner/sha256d/threadcpu"
)

// benchBatch is the nonces per kernel call: about 10 ms at 25 MH/s, short enough for the
// non-preemptible assembly kernels.
const benchBatch = 1 << 18

// benchHeader is block 125552's header, the job the throughput benchmark hashes (at its real
// target, so the early exit behaves as in mainnet mining).
const benchHeader = "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000" +
	"e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695"

const benchUsage = `usage: soloist bench [--cpu N] [--seconds S] [--kernel NAME|all] [--json]
       soloist bench --header HEX80 --start N --count M [--cpu N] [--kernel NAME] [--json]

The first form measures the nonce-scan rate of one kernel (or of each, with --kernel all) on
N threads. The second scans an
80-byte header (160 hex digits, as hashed) over nonces start..start+count-1 and prints every
nonce whose hash meets the header's own target (from its bits field).

`

// benchResult is the throughput report (--json prints it as one object).
type benchResult struct {
	Kernel       string    `json:"kernel"`
	Threads      int       `json:"threads"`
	Hashes       uint64    `json:"hashes"`
	Seconds      float64   `json:"seconds"`
	HashesPerSec float64   `json:"hashes_per_second"`
	PerThread    float64   `json:"hashes_per_second_per_thread"`
	ThreadRates  []float64 `json:"thread_hashes_per_second"`
	// CPUSeconds is the CPU time the threads got (0 where the platform cannot tell) and
	// PerCPUSecond the hashes per CPU-second of one thread: the rate other load on the machine
	// does not skew, comparable with openssl speed, which also divides by CPU time.
	CPUSeconds     float64  `json:"cpu_seconds,omitempty"`
	PerCPUSecond   float64  `json:"hashes_per_cpu_second_per_thread,omitempty"`
	AvailableNames []string `json:"available_kernels"`
}

// scanHit is one nonce found by the header scan.
type scanHit struct {
	Nonce uint32 `json:"nonce"`
	Hash  string `json:"hash"` // display (RPC) byte order
}

// scanResult is the header-scan report (--json prints it as one object).
type scanResult struct {
	Kernel string    `json:"kernel"`
	Start  uint32    `json:"start"`
	Count  uint64    `json:"count"`
	Target string    `json:"target"`
	Found  []scanHit `json:"found"`
}

// runBench implements `soloist bench`; it returns the exit status (2 on bad input, with one
// line on stderr).
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	threads := fs.Int("cpu", runtime.NumCPU(), "threads (one OS-locked goroutine each)")
	seconds := fs.Float64("seconds", 5, "how long to measure")
	kernelName := fs.String("kernel", "auto", "kernel name (auto = the fastest this CPU has; all = measure each in turn)")
	asJSON := fs.Bool("json", false, "print JSON")
	headerHex := fs.String("header", "", "80-byte header as 160 hex digits: scan it instead of measuring")
	startStr := fs.String("start", "0", "first nonce of the header scan")
	countStr := fs.String("count", "", "number of nonces of the header scan (at most 4294967296)")
	usage := func() {
		fmt.Fprint(stdout, benchUsage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "soloist bench: "+format+"\n", a...)
		return exitUsage
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return exitOK
		}
		return bad("%v (see soloist bench --help)", err)
	}
	if fs.NArg() > 0 {
		return bad("unexpected argument %q (see soloist bench --help)", fs.Arg(0))
	}
	if *threads < 1 || *threads > 4096 {
		return bad("--cpu must be between 1 and 4096, got %d", *threads)
	}
	all := *kernelName == "all"
	if all {
		*kernelName = "auto"
	}
	k, err := sha256d.ByName(*kernelName)
	if err != nil {
		return bad("%v", err)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *headerHex == "" {
		if set["start"] || set["count"] {
			return bad("--start and --count need --header")
		}
		if !(*seconds > 0 && *seconds <= 86400) {
			return bad("--seconds must be more than 0 and at most 86400, got %v", *seconds)
		}
		d := time.Duration(*seconds * float64(time.Second))
		var names []string
		for _, a := range sha256d.Available() {
			names = append(names, a.Name())
		}
		if all {
			var rs []benchResult
			for _, a := range sha256d.Available() {
				r := measure(a, *threads, d)
				r.AvailableNames = names
				rs = append(rs, r)
			}
			if *asJSON {
				return writeJSON(stdout, stderr, rs)
			}
			fmt.Fprintf(stdout, "%-16s %7s %12s %12s %16s\n", "kernel", "threads", "total MH/s", "MH/s/thread", "MH/s/cpu-second")
			for _, r := range rs {
				fmt.Fprintf(stdout, "%-16s %7d %12.2f %12.2f %16.2f\n", r.Kernel, r.Threads, r.HashesPerSec/1e6, r.PerThread/1e6, r.PerCPUSecond/1e6)
			}
			return exitOK
		}
		r := measure(k, *threads, d)
		r.AvailableNames = names
		if *asJSON {
			return writeJSON(stdout, stderr, r)
		}
		fmt.Fprintf(stdout, "kernel      %s\n", r.Kernel)
		fmt.Fprintf(stdout, "threads     %d\n", r.Threads)
		fmt.Fprintf(stdout, "hashes      %d\n", r.Hashes)
		fmt.Fprintf(stdout, "seconds     %.3f\n", r.Seconds)
		fmt.Fprintf(stdout, "total       %.2f MH/s\n", r.HashesPerSec/1e6)
		fmt.Fprintf(stdout, "per thread  %.2f MH/s\n", r.PerThread/1e6)
		if r.CPUSeconds > 0 {
			fmt.Fprintf(stdout, "per thread  %.2f MH/s per cpu-second (%.3f cpu-seconds in all)\n", r.PerCPUSecond/1e6, r.CPUSeconds)
		}
		fmt.Fprintf(stdout, "available   %s\n", strings.Join(r.AvailableNames, ", "))
		return exitOK
	}

	if set["seconds"] {
		return bad("--seconds does not apply to a header scan")
	}
	hdr, err := parseHeader(*headerHex)
	if err != nil {
		return bad("%v", err)
	}
	start, err := strconv.ParseUint(*startStr, 0, 32)
	if err != nil {
		return bad("--start must be a nonce from 0 to 4294967295, got %q", *startStr)
	}
	if !set["count"] {
		return bad("--count is required with --header")
	}
	count, err := strconv.ParseUint(*countStr, 0, 64)
	if err != nil || count > 1<<32 {
		return bad("--count must be a number from 0 to 4294967296, got %q", *countStr)
	}
	target, err := compactTarget(binary.LittleEndian.Uint32(hdr[72:76]))
	if err != nil {
		return bad("header bits field: %v", err)
	}
	res, err := scanHeader(k, hdr, target, uint32(start), count, *threads)
	if err != nil {
		fmt.Fprintf(stderr, "soloist bench: %v\n", err)
		return exitError
	}
	if *asJSON {
		return writeJSON(stdout, stderr, res)
	}
	for _, h := range res.Found {
		fmt.Fprintf(stdout, "nonce=%d hash=%s\n", h.Nonce, h.Hash)
	}
	return exitOK
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "soloist bench: writing json: %v\n", err)
		return exitError
	}
	return exitOK
}

func parseHeader(s string) (*[80]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) != 160 {
		return nil, fmt.Errorf("--header must be 160 hex digits (an 80-byte block header as hashed), got %d characters", len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("--header is not hex: %w", err)
	}
	return (*[80]byte)(b), nil
}

// compactTarget expands a header's compact bits into the 256-bit target as little-endian bytes.
func compactTarget(bits uint32) (*[32]byte, error) {
	exp := int(bits >> 24)
	mant := int64(bits & 0x007fffff)
	if bits&0x00800000 != 0 && mant != 0 {
		return nil, fmt.Errorf("%08x encodes a negative target", bits)
	}
	t := big.NewInt(mant)
	if exp <= 3 {
		t.Rsh(t, uint(8*(3-exp)))
	} else {
		t.Lsh(t, uint(8*(exp-3)))
	}
	if t.BitLen() > 256 {
		return nil, fmt.Errorf("%08x encodes a target above 2^256", bits)
	}
	be := t.FillBytes(make([]byte, 32))
	var le [32]byte
	for i := range be {
		le[31-i] = be[i]
	}
	return &le, nil
}

// paddedCounter keeps one thread's hash count on its own cache lines.
type paddedCounter struct {
	_ [64]byte
	n atomic.Uint64
	_ [56]byte
}

// measure runs k on threads OS-locked goroutines for d and reports the rates.
func measure(k sha256d.Kernel, threads int, d time.Duration) benchResult {
	b, _ := hex.DecodeString(benchHeader)
	hdr := (*[80]byte)(b)
	target, _ := compactTarget(binary.LittleEndian.Uint32(hdr[72:76]))
	job := sha256d.NewJob(hdr, target)
	counters := make([]paddedCounter, threads)
	cpu := make([]time.Duration, threads) // thread cpu time, or -1 when unknown
	var stop atomic.Bool
	var ready, done sync.WaitGroup
	begin := make(chan struct{})
	for t := range threads {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			found := make([]uint32, 64)
			nonce := uint32(t) << 28
			c := &counters[t]
			ready.Done()
			<-begin
			c0, ok := threadcpu.Now()
			for !stop.Load() {
				scanned, _ := k.Scan(job, nonce, benchBatch, found)
				nonce += scanned
				c.n.Add(uint64(scanned))
			}
			c1, _ := threadcpu.Now()
			cpu[t] = c1 - c0
			if !ok {
				cpu[t] = -1
			}
		}()
	}
	ready.Wait()
	t0 := time.Now()
	close(begin)
	time.Sleep(d)
	stop.Store(true)
	done.Wait()
	elapsed := time.Since(t0).Seconds()
	r := benchResult{Kernel: k.Name(), Threads: threads, Seconds: elapsed}
	for i := range counters {
		n := counters[i].n.Load()
		r.Hashes += n
		r.ThreadRates = append(r.ThreadRates, float64(n)/elapsed)
	}
	r.HashesPerSec = float64(r.Hashes) / elapsed
	r.PerThread = r.HashesPerSec / float64(threads)
	known := true
	for _, c := range cpu {
		known = known && c >= 0
		r.CPUSeconds += c.Seconds()
	}
	if !known || r.CPUSeconds <= 0 {
		r.CPUSeconds = 0
	} else {
		r.PerCPUSecond = float64(r.Hashes) / r.CPUSeconds
	}
	return r
}

// scanHeader scans count nonces from start on up to threads goroutines, each a contiguous share
// of the range, and returns every nonce meeting target in scan order, each confirmed with
// crypto/sha256.
func scanHeader(k sha256d.Kernel, hdr *[80]byte, target *[32]byte, start uint32, count uint64, threads int) (scanResult, error) {
	job := sha256d.NewJob(hdr, target)
	threads = int(min(uint64(threads), max(count/benchBatch, 1)))
	share := count / uint64(threads)
	hits := make([][]uint32, threads)
	var wg sync.WaitGroup
	for t := range threads {
		from := uint64(t) * share
		n := share
		if t == threads-1 {
			n = count - from
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			found := make([]uint32, 64)
			next := start + uint32(from)
			for n > 0 {
				c := uint32(min(n, benchBatch))
				scanned, m := k.Scan(job, next, c, found)
				hits[t] = append(hits[t], found[:m]...)
				next += scanned
				n -= uint64(scanned)
			}
		}()
	}
	wg.Wait()
	tb := slices.Clone(target[:])
	slices.Reverse(tb)
	res := scanResult{Kernel: k.Name(), Start: start, Count: count, Target: hex.EncodeToString(tb), Found: []scanHit{}}
	h := *hdr
	for _, part := range hits {
		for _, nonce := range part {
			binary.LittleEndian.PutUint32(h[76:], nonce)
			first := sha256.Sum256(h[:])
			sum := sha256.Sum256(first[:])
			slices.Reverse(sum[:])
			if string(sum[:]) > string(tb) {
				return res, fmt.Errorf("kernel %s reported nonce %d, whose hash %x is above the target (kernel bug)", k.Name(), nonce, sum)
			}
			res.Found = append(res.Found, scanHit{Nonce: nonce, Hash: hex.EncodeToString(sum[:])})
		}
	}
	return res, nil
}
