package cpu

import (
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/sha256d"
)

func testJob(t *testing.T, id uint64, prev byte, bits uint32) *miner.Job {
	t.Helper()
	now := time.Now()
	tm := &miner.Template{Version: 0x20000000, PrevHash: chainhash.Hash{prev}, Height: 500, Bits: bits,
		CurTime: now.Unix(), MinTime: now.Unix() - 60, CoinbaseValue: 50e8}
	j, err := miner.NewJob(tm, miner.JobOptions{ID: id, Payout: []byte{0x51}, Now: now, MinShareDifficulty: 1.0 / (1 << 16)})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func kernels(t *testing.T) []sha256d.Kernel {
	ks := sha256d.Available()
	if len(ks) == 0 {
		t.Fatal("no kernel")
	}
	return ks
}

func TestSolutionsRehashAndFollowTheFeed(t *testing.T) {
	for _, k := range kernels(t) {
		t.Run(k.Name(), func(t *testing.T) {
			feed := miner.NewFeed()
			// One thread, so that "after" is well defined: with several,
			// another thread may still be finishing a batch of the old job.
			h := New(Config{Threads: 1, Kernel: k})
			out := make(chan miner.Solution, 64)
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- h.Run(ctx, feed, out) }()
			defer func() { cancel(); <-done }()

			// Mainnet-like block target: every solution is a share, none a block.
			j1 := testJob(t, 1, 1, 0x1d00ffff)
			feed.Publish(j1)
			for i := 0; i < 3; i++ {
				s := <-out
				if s.Work.Job != j1 {
					t.Fatal("solution of an unpublished job")
				}
				if _, err := miner.CheckSolution(&s); err != nil {
					t.Fatalf("solution does not re-hash: %v", err)
				}
			}
			j2 := testJob(t, 2, 2, 0x1d00ffff)
			feed.Publish(j2)
			// Drain what was in flight (the channel is buffered); once a j2
			// solution arrived, no j1 solution may follow.
			seen2 := 0
			deadline := time.After(30 * time.Second)
			for seen2 < 20 {
				select {
				case s := <-out:
					if s.Work.Job == j2 {
						seen2++
					} else if seen2 > 0 {
						t.Fatal("a stale job's solution after the new job's")
					}
				case <-deadline:
					t.Fatalf("hasher never moved to the new job (%d solutions of it)", seen2)
				}
			}
			if st := h.Status(); st.Hashes == 0 || st.State != miner.DeviceRunning || st.Threads != 1 {
				t.Fatalf("status %+v", st)
			}
		})
	}
}

func TestThreadsAndPause(t *testing.T) {
	feed := miner.NewFeed()
	h := New(Config{Threads: 0})
	out := make(chan miner.Solution, 1024)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx, feed, out) }()
	defer func() { cancel(); <-done }()
	feed.Publish(testJob(t, 1, 1, 0x1d00ffff))
	time.Sleep(50 * time.Millisecond)
	if h.Status().Hashes != 0 {
		t.Fatal("hashed with zero threads")
	}
	if got := h.SetThreads(1); got != 1 {
		t.Fatalf("SetThreads(1) = %d", got)
	}
	for h.Status().Hashes == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	feed.Publish(nil) // paused: no work
	for h.Status().State != miner.DeviceIdle {
		time.Sleep(5 * time.Millisecond)
	}
	a := h.Status().Hashes
	time.Sleep(100 * time.Millisecond)
	if b := h.Status().Hashes; b != a {
		t.Fatalf("hashing while paused: %d → %d", a, b)
	}
	if got := h.SetThreads(-3); got != 0 {
		t.Fatalf("SetThreads(-3) = %d", got)
	}
}

func TestVersionRolling(t *testing.T) {
	j := testJob(t, 1, 1, 0x1d00ffff)
	v, ok := rollVersions(j)
	if !ok || v[0] != uint32(j.Version) {
		t.Fatalf("rollVersions = %x, %v", v, ok)
	}
	for _, x := range v[1:] {
		if x == v[0] || (x^uint32(j.Version))&^j.VersionMask != 0 {
			t.Fatalf("version %08x rolls bits outside the mask %08x", x, j.VersionMask)
		}
	}
	for _, roll := range []bool{true, false} {
		feed := miner.NewFeed()
		h := New(Config{Threads: 1, NoVersionRolling: !roll})
		out := make(chan miner.Solution, 64)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- h.Run(ctx, feed, out) }()
		feed.Publish(j)
		rolled := 0
		for i := 0; i < 30; i++ {
			s := <-out
			if _, err := miner.CheckSolution(&s); err != nil {
				t.Fatalf("roll=%v: %v", roll, err)
			}
			if s.Version != j.Version {
				rolled++
			}
		}
		cancel()
		<-done
		if roll && rolled == 0 || !roll && rolled != 0 {
			t.Fatalf("roll=%v: %d of 30 solutions with a rolled version", roll, rolled)
		}
	}
	// A version that is not BIP9 leaves nothing to roll.
	tm := *j.Template
	tm.Version = 1
	j1, err := miner.NewJob(&tm, miner.JobOptions{Payout: []byte{0x51}, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rollVersions(j1); ok {
		t.Fatal("rolled a version-1 header")
	}
}
