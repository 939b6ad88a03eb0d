package btcdtest

import (
	"bytes"
	"encoding/hex"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// SubmitBlockAt builds an empty block on the node's tip with the given header time, paying
// the subsidy to the harness key, solves it and submits it; it returns the block's hash.
// A time more than 24 h in the past puts btcd in initial block download (getblocktemplate
// then fails with -10) until a newer block arrives. The time must be after the median time
// of the last 11 blocks and at most 2 h ahead, or the node rejects the block and the test
// fails. Only for networks whose proof of work is trivial (regtest, simnet).
func (n *Node) SubmitBlockAt(t testing.TB, when time.Time) chainhash.Hash {
	t.Helper()
	prev := n.BestHash(t)
	height := n.Height(t) + 1
	sigScript, err := txscript.NewScriptBuilder().AddInt64(height).AddData([]byte("btcdtest")).Script()
	if err != nil {
		t.Fatalf("btcdtest: coinbase script: %v", err)
	}
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(wire.NewTxIn(wire.NewOutPoint(&chainhash.Hash{}, wire.MaxPrevOutIndex), sigScript, nil))
	cb.AddTxOut(wire.NewTxOut(blockchain.CalcBlockSubsidy(int32(height), n.Params), n.harnessScript()))
	blk := wire.NewMsgBlock(wire.NewBlockHeader(0x20000000, &prev, &chainhash.Hash{}, n.Params.PowLimitBits, 0))
	blk.Header.Timestamp = time.Unix(when.Unix(), 0)
	blk.Header.MerkleRoot = cb.TxHash()
	if err := blk.AddTransaction(cb); err != nil {
		t.Fatalf("btcdtest: %v", err)
	}
	target := blockchain.CompactToBig(blk.Header.Bits)
	for {
		h := blk.Header.BlockHash()
		if blockchain.HashToBig(&h).Cmp(target) <= 0 {
			break
		}
		blk.Header.Nonce++
		if blk.Header.Nonce == 0 {
			t.Fatalf("btcdtest: no nonce solves the block: the network's proof of work is not trivial")
		}
	}
	var buf bytes.Buffer
	if err := blk.Serialize(&buf); err != nil {
		t.Fatalf("btcdtest: serialize block: %v", err)
	}
	raw, err := n.Call("submitblock", hex.EncodeToString(buf.Bytes()))
	if err != nil {
		t.Fatalf("%v", err)
	}
	if string(raw) != "null" {
		t.Fatalf("btcdtest: node rejected the block at %s: %s", when.UTC().Format(time.RFC3339), raw)
	}
	hash := blk.BlockHash()
	if n.BestHash(t) != hash {
		t.Fatalf("btcdtest: submitted block %s did not become the tip", hash)
	}
	return hash
}
