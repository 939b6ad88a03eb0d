package demo

import (
	"fmt"
	"slices"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// coin is an output the demo wallet can spend.
type coin struct {
	op       wire.OutPoint
	out      wire.TxOut
	height   int32 // block height, 0 while unconfirmed
	coinbase bool
}

// wallet is the node's own key with its coins: premined coinbases and the
// outputs of its synthetic transactions. It is guarded by Node.mu.
type wallet struct {
	key    *btcec.PrivateKey
	p2wpkh []byte // segwit v0 key-hash script
	p2pkh  []byte // legacy key-hash script
	coins  map[wire.OutPoint]*coin
}

func newWallet(p *chaincfg.Params) (*wallet, error) {
	key, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, fmt.Errorf("demo: wallet key: %w", err)
	}
	h := btcutil.Hash160(key.PubKey().SerializeCompressed())
	wa, err := btcutil.NewAddressWitnessPubKeyHash(h, p)
	if err != nil {
		return nil, fmt.Errorf("demo: wallet address: %w", err)
	}
	la, err := btcutil.NewAddressPubKeyHash(h, p)
	if err != nil {
		return nil, fmt.Errorf("demo: wallet address: %w", err)
	}
	w := &wallet{key: key, coins: make(map[wire.OutPoint]*coin)}
	if w.p2wpkh, err = txscript.PayToAddrScript(wa); err != nil {
		return nil, fmt.Errorf("demo: wallet script: %w", err)
	}
	if w.p2pkh, err = txscript.PayToAddrScript(la); err != nil {
		return nil, fmt.Errorf("demo: wallet script: %w", err)
	}
	return w, nil
}

// owns reports whether pkScript pays the wallet.
func (w *wallet) owns(pkScript []byte) bool {
	return slices.Equal(pkScript, w.p2wpkh) || slices.Equal(pkScript, w.p2pkh)
}

// blockConnected records the wallet's outputs created by block and forgets
// the coins it spends.
func (w *wallet) blockConnected(block *btcutil.Block) {
	for i, tx := range block.Transactions() {
		msg := tx.MsgTx()
		if i > 0 {
			for _, in := range msg.TxIn {
				delete(w.coins, in.PreviousOutPoint)
			}
		}
		for j, out := range msg.TxOut {
			if !w.owns(out.PkScript) {
				continue
			}
			op := wire.OutPoint{Hash: *tx.Hash(), Index: uint32(j)}
			w.coins[op] = &coin{op: op, out: *out, height: block.Height(), coinbase: i == 0}
		}
	}
}

// blockDisconnected forgets the coins created by block. Coins it spent are
// not restored; the wallet has plenty and a reorg is rare in a demo.
func (w *wallet) blockDisconnected(block *btcutil.Block) {
	for _, tx := range block.Transactions() {
		for j := range tx.MsgTx().TxOut {
			delete(w.coins, wire.OutPoint{Hash: *tx.Hash(), Index: uint32(j)})
		}
	}
}

// txAdded moves the coins spent by tx out of the wallet and adds its outputs
// as unconfirmed coins.
func (w *wallet) txAdded(tx *btcutil.Tx) {
	msg := tx.MsgTx()
	for _, in := range msg.TxIn {
		delete(w.coins, in.PreviousOutPoint)
	}
	for j, out := range msg.TxOut {
		if w.owns(out.PkScript) {
			op := wire.OutPoint{Hash: *tx.Hash(), Index: uint32(j)}
			w.coins[op] = &coin{op: op, out: *out}
		}
	}
}

// txDropped forgets the outputs of a transaction that left the mempool
// without being mined.
func (w *wallet) txDropped(tx *btcutil.Tx) {
	for j := range tx.MsgTx().TxOut {
		delete(w.coins, wire.OutPoint{Hash: *tx.Hash(), Index: uint32(j)})
	}
}

// sorted returns the coins in a deterministic order (by height, then
// outpoint), so selection depends only on the random source.
func (w *wallet) sorted() []*coin {
	cs := make([]*coin, 0, len(w.coins))
	for _, c := range w.coins {
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b *coin) int {
		if a.height != b.height {
			return int(a.height) - int(b.height)
		}
		if c := slices.Compare(a.op.Hash[:], b.op.Hash[:]); c != 0 {
			return c
		}
		return int(a.op.Index) - int(b.op.Index)
	})
	return cs
}
