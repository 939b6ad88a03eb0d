package e2e

import (
	"bytes"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/soloist-miner/soloist/internal/btcdtest"
)

// checkPaysWhole checks, through the node, that blk is on the best chain and that its
// coinbase pays the whole block value (subsidy for its height plus the fees of its
// transactions) to script, with nothing to anyone else (the witness commitment carries no
// value).
func checkPaysWhole(t *testing.T, n *btcdtest.Node, blk *wire.MsgBlock, script []byte) {
	t.Helper()
	hash := blk.BlockHash()
	if !n.OnBestChain(t, hash) {
		t.Errorf("block %s is not on the node's best chain", hash)
		return
	}
	height := n.BlockHeight(t, hash)
	want := blockchain.CalcBlockSubsidy(int32(height), n.Params) + n.Fees(t, blk)
	var paid, other int64
	for _, out := range blk.Transactions[0].TxOut {
		if bytes.Equal(out.PkScript, script) {
			paid += out.Value
		} else {
			other += out.Value
		}
	}
	if paid != want || other != 0 {
		t.Errorf("block %d (%s): coinbase pays %d sat to the payout address and %d elsewhere, want %d (subsidy + fees) to it",
			height, hash, paid, other, want)
	}
}

// blocksAbove returns the node's best-chain blocks above height from, oldest first.
func blocksAbove(t *testing.T, n *btcdtest.Node, from int64) []*wire.MsgBlock {
	t.Helper()
	var blks []*wire.MsgBlock
	for h := from + 1; h <= n.Height(t); h++ {
		blks = append(blks, n.Block(t, n.HashAt(t, h)))
	}
	return blks
}

// waitHeight waits until the node's tip is at least height, failing after timeout.
func waitHeight(t *testing.T, n *btcdtest.Node, height int64, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for n.Height(t) < height {
		if time.Now().After(deadline) {
			t.Fatalf("node still at height %d after %v, want %d", n.Height(t), timeout, height)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// containsTxs reports which of txids blk lacks.
func missingTxs(blk *wire.MsgBlock, txids []chainhash.Hash) []chainhash.Hash {
	in := make(map[chainhash.Hash]bool, len(blk.Transactions))
	for _, tx := range blk.Transactions {
		in[tx.TxHash()] = true
	}
	var missing []chainhash.Hash
	for _, id := range txids {
		if !in[id] {
			missing = append(missing, id)
		}
	}
	return missing
}
