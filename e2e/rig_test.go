package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
)

// rig is a real miner (rpc client + one CPU thread) mining against a btcdtest node.
type rig struct {
	m      *miner.Miner
	cancel context.CancelFunc
	done   chan error // receives Run's result

	mu     sync.Mutex
	last   miner.Snapshot
	events []string
}

// startMiner runs a miner paying payout against n until the test ends (or stop).
func startMiner(t *testing.T, n *btcdtest.Node, payout miner.Payout) *rig {
	t.Helper()
	m, err := miner.New(miner.Config{
		Node:     newNodeClient(t, n),
		Network:  n.Net,
		NodeHost: n.Host,
		Payout:   payout,
		Tag:      "/soloist-e2e/",
		Hashers:  []miner.Hasher{newCPUHasher(t, 1)},
		DataDir:  t.TempDir(),
	})
	if err != nil {
		t.Fatalf("miner.New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &rig{m: m, cancel: cancel, done: make(chan error, 1)}
	var drained sync.WaitGroup
	drained.Add(2)
	go func() {
		defer drained.Done()
		for s := range m.Snapshots() {
			r.mu.Lock()
			r.last = s
			r.mu.Unlock()
		}
	}()
	go func() {
		defer drained.Done()
		for e := range m.Events() {
			var b strings.Builder
			fmt.Fprintf(&b, "%s %s %s", e.At.Format("15:04:05.000"), e.Kind, e.Message)
			for _, a := range e.Attrs {
				fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
			}
			r.mu.Lock()
			r.events = append(r.events, b.String())
			r.mu.Unlock()
		}
	}()
	go func() {
		err := m.Run(ctx)
		drained.Wait()
		r.done <- err
	}()
	t.Cleanup(func() {
		if err := r.stop(); err != nil {
			t.Errorf("miner: %v", err)
		}
		if t.Failed() {
			r.mu.Lock()
			t.Logf("miner events:\n%s", strings.Join(r.events, "\n"))
			r.mu.Unlock()
		}
	})
	return r
}

// stop cancels the miner and waits for Run to return; it returns Run's error. Calling it
// again returns nil.
func (r *rig) stop() error {
	r.cancel()
	select {
	case err, ok := <-r.done:
		if ok {
			close(r.done)
		}
		return err
	case <-time.After(30 * time.Second):
		return fmt.Errorf("Run did not return within 30 s of cancel")
	}
}

// snapshot returns the latest snapshot the miner published.
func (r *rig) snapshot() miner.Snapshot {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// waitSnapshot waits until ok holds for the latest snapshot, failing after timeout.
func (r *rig) waitSnapshot(t *testing.T, what string, timeout time.Duration, ok func(miner.Snapshot) bool) miner.Snapshot {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := r.snapshot()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s has not happened (node %s %q, height %d, %d blocks found)",
				timeout, what, s.Node.State, s.Node.Err, s.Node.Height, len(s.Blocks))
		}
		time.Sleep(50 * time.Millisecond)
	}
}
