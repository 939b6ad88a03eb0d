package e2e

import (
	"testing"
	"time"

	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
)

// TestWaitsWhileNodeSyncing: a node whose tip is more than a day old is in initial block
// download (btcd answers getblocktemplate with -10). The miner says the node is syncing,
// mines nothing, and starts by itself once the node has a fresh tip.
// btcd's getblockchaininfo has no initialblockdownload field, so only the template call
// tells; the miner must keep asking, with backoff, and say "syncing", not "ok".
func TestWaitsWhileNodeSyncing(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"regtest", "simnet"} {
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := btcdtest.Start(t, btcdtest.Options{Net: net})
			n.SubmitBlockAt(t, n.Params.GenesisBlock.Header.Timestamp.Add(10*time.Minute))
			payout, err := miner.ParsePayout(testAddress(t, "p2wpkh", n.Params).EncodeAddress(), n.Params)
			if err != nil {
				t.Fatal(err)
			}
			r := startMiner(t, n, payout)
			r.waitSnapshot(t, "the miner reports the node syncing", 60*time.Second, func(s miner.Snapshot) bool {
				return s.Node.State == miner.NodeSyncing
			})
			if h := n.Height(t); h != 1 {
				t.Fatalf("node at height %d while syncing, want 1: something mined", h)
			}

			n.SubmitBlockAt(t, time.Now()) // the node is current again
			waitHeight(t, n, 4, 90*time.Second)
			r.waitSnapshot(t, "the miner reports the node ok", 30*time.Second, func(s miner.Snapshot) bool {
				return s.Node.State == miner.NodeOK
			})
			if err := r.stop(); err != nil {
				t.Fatalf("miner: %v", err)
			}
			for _, blk := range blocksAbove(t, n, 2) {
				checkPaysWhole(t, n, blk, payout.Script)
			}
		})
	}
}

// TestMiningGoesOnWhenNodeLosesBlocks: a node that comes back without blocks it had
// accepted from us (a crash before they reached disk; here: btcd regtest's empty restart)
// is mined on again: the miner does not hold back a block on a parent it mined on before.
// The journal also resubmits the lost blocks whose parent is the tip.
func TestMiningGoesOnWhenNodeLosesBlocks(t *testing.T) {
	t.Parallel()
	n := btcdtest.Start(t, btcdtest.Options{Net: "regtest"})
	payout, err := miner.ParsePayout(testAddress(t, "p2pkh", n.Params).EncodeAddress(), n.Params)
	if err != nil {
		t.Fatal(err)
	}
	r := startMiner(t, n, payout)
	waitHeight(t, n, 2, 90*time.Second)

	n.RestartEmpty(t)
	waitHeight(t, n, 2, 90*time.Second)
	if err := r.stop(); err != nil {
		t.Fatalf("miner: %v", err)
	}
	for _, blk := range blocksAbove(t, n, 0) {
		checkPaysWhole(t, n, blk, payout.Script)
	}
}
