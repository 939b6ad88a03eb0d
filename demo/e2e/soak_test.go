//go:build soak

package e2e

import (
	"context"
	"flag"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/demo"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/cpu"
)

var soakFor = flag.Duration("soak", 6*time.Minute, "how long the soak test mines")

// TestSoak mines on the demo chain in real time with one CPU thread, the
// way `soloist --demo --headless --cpu 1` does, and reports block times:
//
//	go test -tags soak -run Soak -v ./demo/e2e/ -args -soak=6m
func TestSoak(t *testing.T) {
	n, c := startWithClient(t, demo.Config{})
	payout, err := miner.ParsePayout(n.DemoAddress().EncodeAddress(), n.Params())
	if err != nil {
		t.Fatal(err)
	}
	m, err := miner.New(miner.Config{Node: c, Network: demo.ChainName, NodeHost: n.URL(), Payout: payout,
		Tag: "soak", Hashers: []miner.Hasher{cpu.New(cpu.Config{Threads: 1})}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), *soakFor)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	go func() {
		for range m.Events() {
		}
	}()
	start := time.Now()
	seen := 0
	var last miner.Snapshot
	for snap := range m.Snapshots() {
		last = snap
		for _, b := range snap.Blocks[seen:] {
			if b.Pending {
				break
			}
			t.Logf("%6.1fs height %d %v %s", b.At.Sub(start).Seconds(), b.Height, b.Outcome, b.Reason)
			seen++
		}
	}
	<-done
	var afterFirstMinute, rejected int
	var times []time.Time
	for _, b := range last.Blocks {
		if b.Outcome != miner.SubmitAccepted {
			rejected++
			continue
		}
		times = append(times, b.At)
		if b.At.Sub(start) > time.Minute {
			afterFirstMinute++
		}
	}
	mins := soakFor.Minutes() - 1
	t.Logf("%d blocks accepted, %d not; %.2f blocks/min after the first minute; hash rate %.2f MH/s (session)",
		len(times), rejected, float64(afterFirstMinute)/mins, last.Hashrate.Session/1e6)
	// Mean interval over the blocks found after 5 minutes (past the ramp).
	var late []time.Time
	for _, at := range times {
		if at.Sub(start) > 5*time.Minute {
			late = append(late, at)
		}
	}
	if len(late) > 1 {
		t.Logf("mean interval after 5 minutes: %.1f s over %d blocks",
			late[len(late)-1].Sub(late[0]).Seconds()/float64(len(late)-1), len(late))
	}
	if rejected > 0 {
		t.Errorf("%d blocks not accepted", rejected)
	}
	if float64(afterFirstMinute)/mins < 1 {
		t.Errorf("%.2f blocks per minute after the first minute, want at least 1", float64(afterFirstMinute)/mins)
	}
}
