package btcdtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// harnessSeed derives the harness key. Anyone can recompute it: test chains only.
const harnessSeed = "soloist btcdtest harness key, test chains only"

// SegwitTxFee is the fee in satoshis of each transaction SendSegwitTxs builds (about
// 45 sat/vB).
const SegwitTxFee = 5000

// HarnessKey returns the harness's deterministic, test-only private key.
func HarnessKey() *btcec.PrivateKey {
	seed := sha256.Sum256([]byte(harnessSeed))
	key, _ := btcec.PrivKeyFromBytes(seed[:])
	return key
}

// HarnessAddress returns the P2WPKH address of the harness key on the node's network; it
// is btcd's --miningaddr unless Options.MiningAddr says otherwise.
func (n *Node) HarnessAddress() *btcutil.AddressWitnessPubKeyHash {
	pkh := btcutil.Hash160(HarnessKey().PubKey().SerializeCompressed())
	addr, err := btcutil.NewAddressWitnessPubKeyHash(pkh, n.Params)
	if err != nil {
		panic("btcdtest: a 20-byte program is always a valid P2WPKH address: " + err.Error())
	}
	return addr
}

// harnessScript returns the P2WPKH output script of the harness key.
func (n *Node) harnessScript() []byte {
	s, err := txscript.PayToAddrScript(n.HarnessAddress())
	if err != nil {
		panic("btcdtest: P2WPKH script: " + err.Error())
	}
	return s
}

// coin is a spendable output of the harness key.
type coin struct {
	op    wire.OutPoint
	value int64
}

// SendSegwitTxs sends k transactions to the node's mempool, each spending one matured
// coinbase output paid to the harness key (P2WPKH, so each transaction carries a witness)
// back to the harness key with a fee, and returns their txids. Segwit must be active (see
// ActivateSegwit) and enough harness coinbases must have matured; otherwise the test fails.
// Outputs are never spent twice by the same Node.
func (n *Node) SendSegwitTxs(t testing.TB, k int) []chainhash.Hash {
	t.Helper()
	n.walletMu.Lock()
	defer n.walletMu.Unlock()
	if st := n.SegwitStatus(t); st != "active" {
		t.Fatalf("btcdtest: SendSegwitTxs: segwit is %q, not active: call ActivateSegwit first", st)
	}
	script := n.harnessScript()
	// The next block may spend coinbases at height <= tip+1-maturity.
	last := n.Height(t) + 1 - int64(n.Params.CoinbaseMaturity)
	for ; len(n.spendable) < k && n.nextScan <= last; n.nextScan++ {
		cb := n.Block(t, n.HashAt(t, n.nextScan)).Transactions[0]
		for i, out := range cb.TxOut {
			if bytes.Equal(out.PkScript, script) && out.Value > SegwitTxFee {
				n.spendable = append(n.spendable, coin{wire.OutPoint{Hash: cb.TxHash(), Index: uint32(i)}, out.Value})
			}
		}
	}
	if len(n.spendable) < k {
		t.Fatalf("btcdtest: SendSegwitTxs: only %d matured harness coinbase outputs below height %d, need %d: generate more blocks to %s",
			len(n.spendable), last+1, k, n.HarnessAddress())
	}
	txids := make([]chainhash.Hash, 0, k)
	for _, c := range n.spendable[:k] {
		tx := signedSpend(t, c, script)
		var buf bytes.Buffer
		if err := tx.Serialize(&buf); err != nil {
			t.Fatalf("btcdtest: serialize tx: %v", err)
		}
		var txid string
		n.callInto(t, callTimeout, &txid, "sendrawtransaction", hex.EncodeToString(buf.Bytes()))
		if want := tx.TxHash(); txid != want.String() {
			t.Fatalf("btcdtest: sendrawtransaction returned txid %s, want %s", txid, want)
		}
		txids = append(txids, tx.TxHash())
	}
	n.spendable = n.spendable[k:]
	return txids
}

// signedSpend builds a one-in one-out transaction spending c (locked by script, the harness
// P2WPKH script) back to script, minus SegwitTxFee, signed with the harness key.
func signedSpend(t testing.TB, c coin, script []byte) *wire.MsgTx {
	t.Helper()
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&c.op, nil, nil))
	tx.AddTxOut(wire.NewTxOut(c.value-SegwitTxFee, script))
	fetcher := txscript.NewCannedPrevOutputFetcher(script, c.value)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	wit, err := txscript.WitnessSignature(tx, hashes, 0, c.value, script, txscript.SigHashAll, HarnessKey(), true)
	if err != nil {
		t.Fatalf("btcdtest: sign spend of %v: %v", c.op, err)
	}
	tx.TxIn[0].Witness = wit
	return tx
}
