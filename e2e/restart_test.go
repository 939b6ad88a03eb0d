package e2e

import (
	"testing"
	"time"

	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
)

func TestMiningResumesAfterNodeRestart(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"simnet", "regtest"} {
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := btcdtest.Start(t, btcdtest.Options{Net: net})
			payout, err := miner.ParsePayout(testAddress(t, "p2tr", n.Params).EncodeAddress(), n.Params)
			if err != nil {
				t.Fatal(err)
			}
			r := startMiner(t, n, payout)
			waitHeight(t, n, 2, 90*time.Second)

			n.Stop(t)
			r.waitSnapshot(t, "the miner reports the node down", 90*time.Second, func(s miner.Snapshot) bool {
				return s.Node.State == miner.NodeDown
			})
			n.Restart(t)
			restarted := time.Now()
			back := n.Height(t)
			waitHeight(t, n, back+1, 90*time.Second)
			t.Logf("first block %v after the node came back", time.Since(restarted).Round(time.Millisecond))
			waitHeight(t, n, back+2, 90*time.Second)
			r.waitSnapshot(t, "the miner reports the node ok", 30*time.Second, func(s miner.Snapshot) bool {
				return s.Node.State == miner.NodeOK
			})
			if err := r.stop(); err != nil {
				t.Fatalf("miner: %v", err)
			}
			for _, blk := range blocksAbove(t, n, back) {
				checkPaysWhole(t, n, blk, payout.Script)
			}
		})
	}
}
