package e2e

import (
	"testing"
	"time"

	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
)

// TestMinesTemplateWithSegwitTxs: the node accepting a block with witness transactions
// proves the coinbase's witness commitment and reserved value.
func TestMinesTemplateWithSegwitTxs(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"regtest", "simnet"} {
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := btcdtest.Start(t, btcdtest.Options{Net: net})
			n.ActivateSegwit(t)
			txids := n.SendSegwitTxs(t, 3)
			n.WaitTemplateHasTxs(t, txids, 90*time.Second)

			payout, err := miner.ParsePayout(testAddress(t, "p2wpkh", n.Params).EncodeAddress(), n.Params)
			if err != nil {
				t.Fatal(err)
			}
			from := n.Height(t)
			r := startMiner(t, n, payout)
			waitHeight(t, n, from+1, 90*time.Second)
			if err := r.stop(); err != nil {
				t.Fatalf("miner: %v", err)
			}

			blk := n.Block(t, n.HashAt(t, from+1))
			if missing := missingTxs(blk, txids); len(missing) > 0 {
				t.Fatalf("the block the node accepted at height %d lacks %d of the %d segwit txs, e.g. %s",
					from+1, len(missing), len(txids), missing[0])
			}
			checkPaysWhole(t, n, blk, payout.Script)
			if fees := n.Fees(t, blk); fees != 3*btcdtest.SegwitTxFee {
				t.Errorf("block fees %d, want %d", fees, 3*btcdtest.SegwitTxFee)
			}
			if w := blk.Transactions[0].TxIn[0].Witness; len(w) != 1 || len(w[0]) != 32 {
				t.Errorf("coinbase witness %x, want one 32-byte reserved value", w)
			}

			// Transactions that arrive while the miner runs go into a later block.
			from = n.Height(t)
			startMiner(t, n, payout)
			waitHeight(t, n, from+1, 90*time.Second)
			late := n.SendSegwitTxs(t, 2)
			// They are sent one by one, so they may land in different blocks.
			deadline := time.Now().Add(90 * time.Second)
			for h := from + 1; len(late) > 0; h++ {
				waitHeight(t, n, h, time.Until(deadline))
				blk := n.Block(t, n.HashAt(t, h))
				if missing := missingTxs(blk, late); len(missing) < len(late) {
					checkPaysWhole(t, n, blk, payout.Script)
					late = missing
				}
			}
		})
	}
}
