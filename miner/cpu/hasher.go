package cpu

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/sha256d"
)

// Config configures the CPU hasher.
type Config struct {
	// Threads is the number of worker threads; 0 means none (the hasher
	// then idles until SetThreads raises it).
	Threads int
	// Kernel is the scan kernel; the zero value means sha256d.Best().
	Kernel sha256d.Kernel
	// NoVersionRolling keeps the header version as the template gives it;
	// by default two BIP320 bits are rolled when the job allows them.
	NoVersionRolling bool
}

// maxThreads bounds SetThreads.
const maxThreads = 1024

// Hasher is the CPU hasher. It implements miner.Hasher and miner.Threaded.
type Hasher struct {
	kernel   sha256d.Kernel
	roll     bool
	counters []miner.Counter // one per possible worker slot
	want     atomic.Int32    // threads wanted
	running  atomic.Int32    // workers running
	state    atomic.Int32    // miner.DeviceState
	wake     chan struct{}   // SetThreads pokes Run
}

// New returns a CPU hasher.
func New(cfg Config) *Hasher {
	k := cfg.Kernel
	if k.Name() == "" {
		k = sha256d.Best()
	}
	h := &Hasher{kernel: k, roll: !cfg.NoVersionRolling, wake: make(chan struct{}, 1)}
	n := runtime.NumCPU()
	if n < cfg.Threads {
		n = cfg.Threads
	}
	h.counters = make([]miner.Counter, min(maxThreads, max(n, 1)*4))
	h.want.Store(int32(clampThreads(cfg.Threads, len(h.counters))))
	return h
}

func clampThreads(n, limit int) int {
	if n < 0 {
		return 0
	}
	if n > limit {
		return limit
	}
	return n
}

// Name implements miner.Hasher.
func (h *Hasher) Name() string { return "cpu" }

// Kernel returns the name of the kernel in use.
func (h *Hasher) Kernel() string { return h.kernel.Name() }

// SetThreads implements miner.Threaded.
func (h *Hasher) SetThreads(n int) int {
	n = clampThreads(n, len(h.counters))
	h.want.Store(int32(n))
	select {
	case h.wake <- struct{}{}:
	default:
	}
	return n
}

// Status implements miner.Hasher.
func (h *Hasher) Status() miner.DeviceStatus {
	var sum uint64
	for i := range h.counters {
		sum += h.counters[i].Load()
	}
	return miner.DeviceStatus{
		Name: "cpu", Kind: "cpu", Detail: h.kernel.Name(),
		State: miner.DeviceState(h.state.Load()), Hashes: sum, Threads: int(h.want.Load()),
	}
}

// Run implements miner.Hasher.
func (h *Hasher) Run(ctx context.Context, feed *miner.Feed, out chan<- miner.Solution) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	type worker struct{ cancel context.CancelFunc }
	var workers []worker
	defer func() {
		for _, w := range workers {
			w.cancel()
		}
	}()
	h.state.Store(int32(miner.DeviceIdle))
	defer h.state.Store(int32(miner.DeviceStopped))
	for {
		want := int(h.want.Load())
		for len(workers) < want {
			wctx, cancel := context.WithCancel(ctx)
			slot := len(workers)
			workers = append(workers, worker{cancel})
			wg.Add(1)
			go func() {
				defer wg.Done()
				h.work(wctx, slot, feed, out)
			}()
		}
		for len(workers) > want {
			workers[len(workers)-1].cancel()
			workers = workers[:len(workers)-1]
		}
		if want == 0 {
			h.state.Store(int32(miner.DeviceIdle))
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		}
	}
}

// batchFor picks a batch that takes about 25 ms at rate H/s, within
// [2^16, 2^20].
func batchFor(rate float64) uint32 {
	b := uint32(rate * 0.025)
	if b < 1<<16 {
		b = 1 << 16
	}
	if b > 1<<20 {
		b = 1 << 20
	}
	return b
}

// work is one worker thread.
func (h *Hasher) work(ctx context.Context, slot int, feed *miner.Feed, out chan<- miner.Solution) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	h.running.Add(1)
	defer h.running.Add(-1)
	counter := &h.counters[slot]
	batch := uint32(1 << 16)
	var job *miner.Job
	for ctx.Err() == nil {
		var err error
		if job == nil || job.IsStale() {
			if cur := feed.Current(); cur == nil || cur == job {
				h.state.Store(int32(miner.DeviceIdle))
			}
			job, err = feed.Next(ctx, job)
			if err != nil {
				return
			}
		}
		h.state.Store(int32(miner.DeviceRunning))
		sc := newScanner(h.kernel, job.NewWork(time.Now()), h.roll)
		var next uint32
		done := uint64(0)
		for ctx.Err() == nil && !job.IsStale() {
			count := batch
			if rem := uint64(1)<<32 - done; uint64(count) > rem {
				count = uint32(rem)
			}
			t0 := time.Now()
			scanned, hashes, sols := sc.scan(next, count, "cpu")
			counter.Add(hashes)
			if dt := time.Since(t0).Seconds(); dt > 0 && scanned == count {
				batch = batchFor(float64(scanned) / dt)
			}
			block := false
			for _, sol := range sols {
				if job.IsStale() {
					break // the miner would drop it
				}
				select {
				case out <- sol:
				case <-job.Stale():
				case <-ctx.Done():
					return
				}
				if sol.IsBlock() {
					block = true // nothing more to find on this parent
					break
				}
			}
			if block {
				// The miner stops handing out this parent's work once it has
				// checked the block; should it refuse the block, go on.
				select {
				case <-job.Stale():
				case <-time.After(5 * time.Second):
				case <-ctx.Done():
					return
				}
				break
			}
			next += scanned
			done += uint64(scanned)
			if done >= 1<<32 {
				break // nonce space exhausted: new work, new extranonce
			}
		}
	}
}
