package demo

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Consensus limits reported in templates (Bitcoin Core's values).
const (
	maxBlockWeight   = 4000000
	maxBlockSigops   = 80000
	reservedWeight   = 8000 // room for header, tx count and coinbase
	reservedSigops   = 400
	maxFutureSeconds = 2 * 60 * 60
	futureMargin     = 60 // keep maxtime a minute inside the 2 h limit
)

// coinbaseTag is appended to coinbases the node builds itself.
var coinbaseTag = []byte("/soloist-demo/")

// txSelection is the transaction part of a template, cached per (tip, seq).
type txSelection struct {
	tip      chainhash.Hash
	seq      uint64
	height   int32
	segwit   bool
	txs      []*poolTx
	fees     int64
	subsidy  int64
	witness  []byte // full commitment output script, nil before segwit
	parentTS int64
}

// timeWindow is the range of header times for which one bits value is valid.
type timeWindow struct {
	bits    uint32
	curtime int64
	mintime int64
	maxtime int64
}

// blockTemplate is everything getblocktemplate reports, frozen at one moment.
type blockTemplate struct {
	sel     *txSelection
	version int32
	win     timeWindow
}

// selectionLocked returns the cached transaction selection for the current
// tip and mempool, building and self-checking it if needed. Callers hold n.mu.
func (n *Node) selectionLocked() (*txSelection, error) {
	best := n.chain.BestSnapshot()
	if c := n.cache; c != nil && c.tip == best.Hash && c.seq == n.seq {
		return c, nil
	}
	sel, err := n.buildSelectionLocked(n.pool.txs)
	if err != nil {
		return nil, err
	}
	if err := n.selfCheckLocked(sel); err != nil {
		// A template the chain rejects must never reach a miner: drop
		// the mempool and serve an empty one.
		n.log.Warn("demo: template failed its own check; dropping the mempool", "err", err)
		for _, ptx := range n.pool.txs {
			n.wallet.txDropped(ptx.tx)
		}
		n.pool = newMempool()
		n.seq++
		n.notifyLocked()
		sel, err = n.buildSelectionLocked(nil)
		if err != nil {
			return nil, err
		}
		if err := n.selfCheckLocked(sel); err != nil {
			return nil, fmt.Errorf("demo: empty template fails validation: %w", err)
		}
	}
	n.cache = sel
	return sel, nil
}

func (n *Node) buildSelectionLocked(pool []*poolTx) (*txSelection, error) {
	best := n.chain.BestSnapshot()
	parent, err := n.chain.HeaderByHash(&best.Hash)
	if err != nil {
		return nil, fmt.Errorf("demo: tip header: %w", err)
	}
	segwit, err := n.chain.IsDeploymentActive(chaincfg.DeploymentSegwit)
	if err != nil {
		return nil, fmt.Errorf("demo: segwit state: %w", err)
	}
	height := best.Height + 1
	sel := &txSelection{
		tip:      best.Hash,
		seq:      n.seq,
		height:   height,
		segwit:   segwit,
		subsidy:  blockchain.CalcBlockSubsidy(height, n.params),
		parentTS: parent.Timestamp.Unix(),
	}
	weight, sigops := int64(reservedWeight), int64(reservedSigops)
	included := make(map[chainhash.Hash]bool)
	for _, ptx := range pool {
		if !segwit && ptx.tx.MsgTx().HasWitness() {
			continue
		}
		if weight+ptx.weight > maxBlockWeight || sigops+ptx.sigopCost > maxBlockSigops {
			continue
		}
		parentsIn := true
		for _, in := range ptx.tx.MsgTx().TxIn {
			if n.pool.has(in.PreviousOutPoint.Hash) && !included[in.PreviousOutPoint.Hash] {
				parentsIn = false
				break
			}
		}
		if !parentsIn {
			continue
		}
		included[*ptx.tx.Hash()] = true
		sel.txs = append(sel.txs, ptx)
		sel.fees += ptx.fee
		weight += ptx.weight
		sigops += ptx.sigopCost
	}
	if segwit {
		sel.witness = witnessCommitmentScript(sel.txs)
	}
	return sel, nil
}

// witnessCommitmentScript returns the BIP141 commitment output script
// (6a24aa21a9ed‖SHA256d(witness root‖32 zero bytes)) for a block holding
// a coinbase followed by txs.
func witnessCommitmentScript(txs []*poolTx) []byte {
	all := make([]*btcutil.Tx, 0, len(txs)+1)
	all = append(all, btcutil.NewTx(wire.NewMsgTx(1))) // coinbase: wtxid counts as zero
	for _, ptx := range txs {
		all = append(all, ptx.tx)
	}
	root := blockchain.CalcMerkleRoot(all, true)
	var buf [64]byte
	copy(buf[:32], root[:])
	commit := chainhash.DoubleHashB(buf[:])
	return append(append([]byte{}, blockchain.WitnessMagicBytes...), commit...)
}

// timeWindowLocked computes the bits for a block on the current tip and the
// range of header times they are valid for. With ReduceMinDifficulty a block
// more than MinDiffReductionTime after its parent must use the easiest bits,
// so the window ends (maxtime) where that rule starts, or begins (mintime)
// there once it applies. Callers hold n.mu.
func (n *Node) timeWindowLocked(sel *txSelection) (timeWindow, error) {
	best := n.chain.BestSnapshot()
	now := n.now().Unix()
	minT := best.MedianTime.Unix() + 1
	maxT := now + maxFutureSeconds - futureMargin
	cur := max(now, minT)
	switchAt := sel.parentTS + int64(n.timing.minDiffAfter/time.Second) + 1

	early, err := n.chain.CalcNextRequiredDifficulty(time.Unix(minT, 0))
	if err != nil {
		return timeWindow{}, fmt.Errorf("demo: difficulty: %w", err)
	}
	late, err := n.chain.CalcNextRequiredDifficulty(time.Unix(max(switchAt, minT), 0))
	if err != nil {
		return timeWindow{}, fmt.Errorf("demo: difficulty: %w", err)
	}
	w := timeWindow{bits: early, curtime: cur, mintime: minT, maxtime: maxT}
	switch {
	case early == late:
	case cur < switchAt:
		w.maxtime = switchAt - 1
	default:
		w.bits = late
		w.mintime = max(minT, switchAt)
	}
	return w, nil
}

// templateLocked freezes a template for the current tip. Callers hold n.mu.
func (n *Node) templateLocked() (*blockTemplate, error) {
	sel, err := n.selectionLocked()
	if err != nil {
		return nil, err
	}
	win, err := n.timeWindowLocked(sel)
	if err != nil {
		return nil, err
	}
	version, err := n.chain.CalcNextBlockVersion()
	if err != nil {
		return nil, fmt.Errorf("demo: block version: %w", err)
	}
	return &blockTemplate{sel: sel, version: version, win: win}, nil
}

// assemble builds a complete block from a template paying pkScript, with
// extraNonce in the coinbase. The proof of work is not solved.
func (t *blockTemplate) assemble(pkScript []byte, extraNonce uint64) (*wire.MsgBlock, error) {
	sel := t.sel
	sb := txscript.NewScriptBuilder().AddInt64(int64(sel.height))
	var en [8]byte
	for i := range en {
		en[i] = byte(extraNonce >> (8 * i))
	}
	sb.AddData(en[:]).AddData(coinbaseTag)
	sigScript, err := sb.Script()
	if err != nil {
		return nil, fmt.Errorf("demo: coinbase script: %w", err)
	}
	cb := wire.NewMsgTx(2)
	cb.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript:  sigScript,
		Sequence:         wire.MaxTxInSequenceNum,
	})
	cb.AddTxOut(wire.NewTxOut(sel.subsidy+sel.fees, pkScript))
	if sel.witness != nil {
		cb.TxIn[0].Witness = wire.TxWitness{make([]byte, 32)}
		cb.AddTxOut(wire.NewTxOut(0, sel.witness))
	}
	blk := &wire.MsgBlock{Header: wire.BlockHeader{
		Version:   t.version,
		PrevBlock: sel.tip,
		Timestamp: time.Unix(t.win.curtime, 0),
		Bits:      t.win.bits,
	}}
	blk.Transactions = append(blk.Transactions, cb)
	utxs := []*btcutil.Tx{btcutil.NewTx(cb)}
	for _, ptx := range sel.txs {
		blk.Transactions = append(blk.Transactions, ptx.tx.MsgTx())
		utxs = append(utxs, ptx.tx)
	}
	blk.Header.MerkleRoot = blockchain.CalcMerkleRoot(utxs, false)
	return blk, nil
}

// selfCheckLocked validates a block built from sel against the tip with
// everything but proof of work. Callers hold n.mu.
func (n *Node) selfCheckLocked(sel *txSelection) error {
	win, err := n.timeWindowLocked(sel)
	if err != nil {
		return err
	}
	version, err := n.chain.CalcNextBlockVersion()
	if err != nil {
		return err
	}
	t := &blockTemplate{sel: sel, version: version, win: win}
	blk, err := t.assemble(n.wallet.p2wpkh, 0)
	if err != nil {
		return err
	}
	return n.chain.CheckConnectBlockTemplate(btcutil.NewBlock(blk))
}

// targetHex renders the target of bits as 64 hex digits, big-endian.
func targetHex(bits uint32) string {
	return fmt.Sprintf("%064x", blockchain.CompactToBig(bits))
}

// gbtTx is one entry of getblocktemplate's "transactions".
type gbtTx struct {
	Data    string  `json:"data"`
	TxID    string  `json:"txid"`
	Hash    string  `json:"hash"`
	Depends []int64 `json:"depends"`
	Fee     int64   `json:"fee"`
	Sigops  int64   `json:"sigops"`
	Weight  int64   `json:"weight"`
}

// gbtResult is getblocktemplate's reply, shaped like Bitcoin Core's, plus
// maxtime (BIP23): the last header time for which bits stays valid.
type gbtResult struct {
	Capabilities             []string       `json:"capabilities"`
	Version                  int32          `json:"version"`
	Rules                    []string       `json:"rules"`
	VBAvailable              map[string]int `json:"vbavailable"`
	VBRequired               int            `json:"vbrequired"`
	PreviousBlockHash        string         `json:"previousblockhash"`
	Transactions             []gbtTx        `json:"transactions"`
	CoinbaseAux              map[string]any `json:"coinbaseaux"`
	CoinbaseValue            int64          `json:"coinbasevalue"`
	LongPollID               string         `json:"longpollid"`
	Target                   string         `json:"target"`
	MinTime                  int64          `json:"mintime"`
	MaxTime                  int64          `json:"maxtime"`
	Mutable                  []string       `json:"mutable"`
	NonceRange               string         `json:"noncerange"`
	SigopLimit               int64          `json:"sigoplimit"`
	SizeLimit                int64          `json:"sizelimit"`
	WeightLimit              int64          `json:"weightlimit,omitempty"`
	CurTime                  int64          `json:"curtime"`
	Bits                     string         `json:"bits"`
	Height                   int32          `json:"height"`
	DefaultWitnessCommitment string         `json:"default_witness_commitment,omitempty"`
}

// result renders t in Bitcoin Core's getblocktemplate shape.
func (t *blockTemplate) result() (*gbtResult, error) {
	sel := t.sel
	r := &gbtResult{
		Capabilities:      []string{"proposal"},
		Version:           t.version,
		Rules:             []string{"csv"},
		VBAvailable:       map[string]int{},
		PreviousBlockHash: sel.tip.String(),
		Transactions:      make([]gbtTx, 0, len(sel.txs)),
		CoinbaseAux:       map[string]any{},
		CoinbaseValue:     sel.subsidy + sel.fees,
		LongPollID:        fmt.Sprintf("%s%d", sel.tip, sel.seq),
		Target:            targetHex(t.win.bits),
		MinTime:           t.win.mintime,
		MaxTime:           t.win.maxtime,
		Mutable:           []string{"time", "transactions", "prevblock"},
		NonceRange:        "00000000ffffffff",
		SigopLimit:        maxBlockSigops,
		SizeLimit:         maxBlockWeight,
		CurTime:           t.win.curtime,
		Bits:              fmt.Sprintf("%08x", t.win.bits),
		Height:            sel.height,
	}
	if sel.segwit {
		r.Rules = []string{"csv", "!segwit", "taproot"}
		r.WeightLimit = maxBlockWeight
		r.DefaultWitnessCommitment = hex.EncodeToString(sel.witness)
	} else {
		r.SigopLimit = maxBlockSigops / 4
		r.SizeLimit = maxBlockWeight / 4
	}
	index := make(map[chainhash.Hash]int64, len(sel.txs))
	for i, ptx := range sel.txs {
		var buf bytes.Buffer
		if err := ptx.tx.MsgTx().Serialize(&buf); err != nil {
			return nil, fmt.Errorf("demo: serialize tx: %w", err)
		}
		deps := []int64{}
		seen := map[int64]bool{}
		for _, in := range ptx.tx.MsgTx().TxIn {
			if j, ok := index[in.PreviousOutPoint.Hash]; ok && !seen[j] {
				deps = append(deps, j)
				seen[j] = true
			}
		}
		index[*ptx.tx.Hash()] = int64(i + 1)
		r.Transactions = append(r.Transactions, gbtTx{
			Data:    hex.EncodeToString(buf.Bytes()),
			TxID:    ptx.tx.Hash().String(),
			Hash:    ptx.tx.WitnessHash().String(),
			Depends: deps,
			Fee:     ptx.fee,
			Sigops:  ptx.sigopCost,
			Weight:  ptx.weight,
		})
	}
	return r, nil
}
