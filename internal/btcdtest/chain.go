package btcdtest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// generateChunk is the most blocks asked of one generate call, so each call stays short.
const generateChunk = 100

// Generate mines k blocks with btcd's own CPU miner (paying the mining address) and returns
// their hashes in order.
func (n *Node) Generate(t testing.TB, k int) []chainhash.Hash {
	t.Helper()
	hashes := make([]chainhash.Hash, 0, k)
	for left := k; left > 0; {
		c := min(left, generateChunk)
		var strs []string
		n.callInto(t, 5*time.Minute, &strs, "generate", c)
		if len(strs) != c {
			t.Fatalf("btcdtest: generate %d returned %d hashes", c, len(strs))
		}
		for _, s := range strs {
			hashes = append(hashes, parseHash(t, s))
		}
		left -= c
	}
	return hashes
}

// BestHash returns the hash of the node's best block.
func (n *Node) BestHash(t testing.TB) chainhash.Hash {
	t.Helper()
	var s string
	n.callInto(t, callTimeout, &s, "getbestblockhash")
	return parseHash(t, s)
}

// Height returns the height of the node's best block.
func (n *Node) Height(t testing.TB) int64 {
	t.Helper()
	var h int64
	n.callInto(t, callTimeout, &h, "getblockcount")
	return h
}

// HashAt returns the hash of the best-chain block at height h.
func (n *Node) HashAt(t testing.TB, h int64) chainhash.Hash {
	t.Helper()
	var s string
	n.callInto(t, callTimeout, &s, "getblockhash", h)
	return parseHash(t, s)
}

// Block returns the block with the given hash as the node serializes it (with witnesses).
func (n *Node) Block(t testing.TB, hash chainhash.Hash) *wire.MsgBlock {
	t.Helper()
	var s string
	n.callInto(t, callTimeout, &s, "getblock", hash.String(), 0)
	raw, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("btcdtest: getblock %s: bad hex: %v", hash, err)
	}
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatalf("btcdtest: getblock %s: decode: %v", hash, err)
	}
	return &blk
}

// BlockHeight returns the height of a block the node knows, on the best chain or not.
func (n *Node) BlockHeight(t testing.TB, hash chainhash.Hash) int64 {
	t.Helper()
	var hdr struct {
		Height int64 `json:"height"`
	}
	n.callInto(t, callTimeout, &hdr, "getblockheader", hash.String(), true)
	return hdr.Height
}

// OnBestChain reports whether the node knows the block and it is part of its best chain.
// An unknown block is not on the best chain.
func (n *Node) OnBestChain(t testing.TB, hash chainhash.Hash) bool {
	t.Helper()
	raw, err := n.Call("getblockheader", hash.String(), true)
	if err != nil {
		return false // btcd answers -5 for an unknown block
	}
	var hdr struct {
		Height int64 `json:"height"`
	}
	if err := json.Unmarshal(raw, &hdr); err != nil {
		t.Fatalf("btcdtest: getblockheader %s: %v", hash, err)
	}
	if hdr.Height > n.Height(t) {
		return false
	}
	return n.HashAt(t, hdr.Height) == hash
}

// SegwitStatus returns the BIP9 state of segwit for the block after the tip, as
// getblockchaininfo reports it: "defined", "started", "lockedin", "active" or "failed".
func (n *Node) SegwitStatus(t testing.TB) string {
	t.Helper()
	var info struct {
		Bip9 map[string]struct {
			Status string `json:"status"`
		} `json:"bip9_softforks"`
	}
	n.callInto(t, callTimeout, &info, "getblockchaininfo")
	s, ok := info.Bip9["segwit"]
	if !ok {
		t.Fatalf("btcdtest: getblockchaininfo has no bip9_softforks.segwit")
	}
	return s.Status
}

// ActivateSegwit generates blocks, one BIP9 window at a time, until getblockchaininfo says
// segwit is active (regtest: tip height 431; simnet: 299). Blocks pay the mining address.
func (n *Node) ActivateSegwit(t testing.TB) {
	t.Helper()
	w := int64(n.Params.MinerConfirmationWindow)
	for range 8 {
		if n.SegwitStatus(t) == "active" {
			return
		}
		h := n.Height(t)
		target := h/w*w + w - 1 // the last block of the current window
		if target <= h {
			target += w
		}
		n.Generate(t, int(target-h))
	}
	t.Fatalf("btcdtest: segwit still %q at height %d", n.SegwitStatus(t), n.Height(t))
}

func parseHash(t testing.TB, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil || len(s) != 64 {
		t.Fatalf("btcdtest: bad block hash %q from node", s)
	}
	return *h
}

// PrevOut returns the output op refers to, looked up in a confirmed transaction (btcd runs
// with --txindex).
func (n *Node) PrevOut(t testing.TB, op wire.OutPoint) *wire.TxOut {
	t.Helper()
	var s string
	n.callInto(t, callTimeout, &s, "getrawtransaction", op.Hash.String(), 0)
	raw, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("btcdtest: getrawtransaction %s: bad hex: %v", op.Hash, err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		t.Fatalf("btcdtest: getrawtransaction %s: decode: %v", op.Hash, err)
	}
	if int(op.Index) >= len(tx.TxOut) {
		t.Fatalf("btcdtest: %v: transaction has only %d outputs", op, len(tx.TxOut))
	}
	return tx.TxOut[op.Index]
}

// Fees returns the sum of the fees of blk's non-coinbase transactions, from their inputs'
// previous outputs (see PrevOut). blk must be connected to the node's chain.
func (n *Node) Fees(t testing.TB, blk *wire.MsgBlock) int64 {
	t.Helper()
	var fees int64
	for _, tx := range blk.Transactions[1:] {
		for _, in := range tx.TxIn {
			fees += n.PrevOut(t, in.PreviousOutPoint).Value
		}
		for _, out := range tx.TxOut {
			fees -= out.Value
		}
	}
	return fees
}
