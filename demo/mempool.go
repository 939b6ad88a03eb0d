package demo

import (
	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// maxPoolTxs caps the mempool; the trickle pauses while it is full (a miner
// that mines empty blocks would otherwise grow it without bound).
const maxPoolTxs = 400

// poolTx is one mempool transaction with the numbers a template reports.
type poolTx struct {
	tx        *btcutil.Tx
	fee       int64 // satoshi
	weight    int64
	sigopCost int64
}

// mempool holds the node's own synthetic transactions in topological order:
// a transaction always comes after the in-pool transactions it spends.
// It is guarded by Node.mu.
type mempool struct {
	txs   []*poolTx
	byID  map[chainhash.Hash]*poolTx
	spent map[wire.OutPoint]chainhash.Hash
}

func newMempool() *mempool {
	return &mempool{
		byID:  make(map[chainhash.Hash]*poolTx),
		spent: make(map[wire.OutPoint]chainhash.Hash),
	}
}

func (m *mempool) len() int { return len(m.txs) }

// add appends ptx; the caller has checked that its inputs exist and are not
// spent by another pool transaction.
func (m *mempool) add(ptx *poolTx) {
	m.txs = append(m.txs, ptx)
	m.byID[*ptx.tx.Hash()] = ptx
	for _, in := range ptx.tx.MsgTx().TxIn {
		m.spent[in.PreviousOutPoint] = *ptx.tx.Hash()
	}
}

// has reports whether the transaction with txid h is in the pool.
func (m *mempool) has(h chainhash.Hash) bool {
	_, ok := m.byID[h]
	return ok
}

// revalidate drops every transaction that was mined, whose inputs are no
// longer unspent (or no longer mature for nextHeight), or whose in-pool
// parent was dropped. fetch looks an outpoint up in the chain's UTXO set. It
// returns the dropped transactions that were not mined.
func (m *mempool) revalidate(mined map[chainhash.Hash]bool, nextHeight int32, maturity int32,
	fetch func(wire.OutPoint) (*blockchain.UtxoEntry, error)) []*poolTx {

	kept := m.txs[:0:0]
	var dropped []*poolTx
	keptIDs := make(map[chainhash.Hash]bool, len(m.txs))
	spent := make(map[wire.OutPoint]chainhash.Hash, len(m.spent))
	for _, ptx := range m.txs {
		id := *ptx.tx.Hash()
		if mined[id] {
			continue
		}
		ok := true
		for _, in := range ptx.tx.MsgTx().TxIn {
			op := in.PreviousOutPoint
			if _, dup := spent[op]; dup {
				ok = false
				break
			}
			if keptIDs[op.Hash] {
				continue
			}
			if m.byID[op.Hash] != nil && !mined[op.Hash] {
				// Parent still unconfirmed but dropped.
				ok = false
				break
			}
			e, err := fetch(op)
			if err != nil || e == nil || e.IsSpent() {
				ok = false
				break
			}
			if e.IsCoinBase() && nextHeight-e.BlockHeight() < maturity {
				ok = false
				break
			}
		}
		if !ok {
			dropped = append(dropped, ptx)
			continue
		}
		kept = append(kept, ptx)
		keptIDs[id] = true
		for _, in := range ptx.tx.MsgTx().TxIn {
			spent[in.PreviousOutPoint] = id
		}
	}
	m.txs = kept
	m.spent = spent
	m.byID = make(map[chainhash.Hash]*poolTx, len(kept))
	for _, ptx := range kept {
		m.byID[*ptx.tx.Hash()] = ptx
	}
	return dropped
}
