package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
)

// blocksPerPayout is how many blocks each payout type must get onto the chain.
const blocksPerPayout = 3

func TestMinesBlocksPayingEachAddressType(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"regtest", "simnet"} { // simnet enforces BIP34 from height 1
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := btcdtest.Start(t, btcdtest.Options{Net: net})
			for _, kind := range payoutKinds {
				t.Run(kind, func(t *testing.T) {
					addr := testAddress(t, kind, n.Params)
					payout, err := miner.ParsePayout(addr.EncodeAddress(), n.Params)
					if err != nil {
						t.Fatalf("ParsePayout(%s): %v", addr, err)
					}
					script := scriptOf(t, addr)
					if payout.Type != kind || !bytes.Equal(payout.Script, script) {
						t.Fatalf("ParsePayout(%s) = %s %x, want %s %x", addr, payout.Type, payout.Script, kind, script)
					}
					from := n.Height(t)
					r := startMiner(t, n, payout)
					waitHeight(t, n, from+blocksPerPayout, 90*time.Second)
					r.waitSnapshot(t, "the snapshot lists a confirmed block", 30*time.Second, func(s miner.Snapshot) bool {
						for _, fb := range s.Blocks {
							if fb.Confirmed {
								return true
							}
						}
						return false
					})
					if err := r.stop(); err != nil {
						t.Fatalf("miner: %v", err)
					}

					blks := blocksAbove(t, n, from)
					for _, blk := range blks {
						checkPaysWhole(t, n, blk, script)
					}
					checkMinerAccount(t, n, r.snapshot())
				})
			}
		})
	}
}

// checkMinerAccount checks that the miner found blocks and that every block it says the
// node confirmed really is on the node's best chain.
func checkMinerAccount(t *testing.T, n *btcdtest.Node, s miner.Snapshot) {
	t.Helper()
	if len(s.Blocks) == 0 {
		t.Errorf("the miner's snapshot lists no found blocks")
	}
	for _, fb := range s.Blocks {
		if fb.Confirmed && !n.OnBestChain(t, fb.Hash) {
			t.Errorf("miner says block %d (%s) is confirmed, the node has it off its best chain", fb.Height, fb.Hash)
		}
	}
}
