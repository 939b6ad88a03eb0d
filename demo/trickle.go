package demo

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// Synthetic transaction shape.
const (
	minOutput     = 10000 // satoshi; keeps every output far above dust
	maxFeeRate    = 40    // sat/vB
	chainSpendPct = 30    // chance to spend an unconfirmed output (a tx with depends)
	legacyOutPct  = 30    // chance that an output is P2PKH instead of P2WPKH
	maxCandidates = 64    // confirmed coins looked up per transaction
)

// errNoCoins means the wallet has nothing spendable yet.
var errNoCoins = errors.New("demo: no spendable coins")

// trickle adds a synthetic transaction to the mempool at random intervals
// (exponential, mean Config.TxInterval) until Close.
func (n *Node) trickle() {
	defer n.wg.Done()
	rng := rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	for {
		d := time.Duration(rng.ExpFloat64() * float64(n.cfg.TxInterval))
		d = min(max(d, time.Millisecond), 10*n.cfg.TxInterval)
		t := time.NewTimer(d)
		select {
		case <-n.done:
			t.Stop()
			return
		case <-t.C:
		}
		n.mu.Lock()
		if !n.closed() {
			if _, err := n.addSyntheticTxLocked(rng); err != nil && !errors.Is(err, errNoCoins) {
				n.log.Warn("demo: synthetic transaction failed", "err", err)
			}
		}
		n.mu.Unlock()
	}
}

// spendable returns the wallet's coins that a transaction entering the
// mempool now may spend, dropping coins the chain no longer has.
func (n *Node) spendableLocked() (confirmed, unconfirmed []*coin) {
	next := n.chain.BestSnapshot().Height + 1
	maturity := int32(n.params.CoinbaseMaturity)
	for _, c := range n.wallet.sorted() {
		if _, used := n.pool.spent[c.op]; used {
			continue
		}
		if c.height == 0 {
			if n.pool.has(c.op.Hash) {
				unconfirmed = append(unconfirmed, c)
			} else {
				delete(n.wallet.coins, c.op)
			}
			continue
		}
		e, err := n.chain.FetchUtxoEntry(c.op)
		if err != nil || e == nil || e.IsSpent() {
			delete(n.wallet.coins, c.op)
			continue
		}
		if e.IsCoinBase() && next-e.BlockHeight() < maturity {
			continue
		}
		confirmed = append(confirmed, c)
		if len(confirmed) >= maxCandidates {
			break
		}
	}
	return confirmed, unconfirmed
}

// addSyntheticTxLocked builds, signs, checks and adds one transaction that
// moves wallet coins to new wallet outputs, paying a random fee rate.
// Callers hold n.mu.
func (n *Node) addSyntheticTxLocked(rng *rand.Rand) (*poolTx, error) {
	if n.pool.len() >= maxPoolTxs {
		return nil, errNoCoins
	}
	if ok, err := n.chain.IsDeploymentActive(chaincfg.DeploymentSegwit); err != nil || !ok {
		return nil, errNoCoins
	}
	confirmed, unconfirmed := n.spendableLocked()
	from := confirmed
	if len(unconfirmed) > 0 && (len(confirmed) == 0 || rng.IntN(100) < chainSpendPct) {
		from = unconfirmed
	}
	if len(from) == 0 {
		return nil, errNoCoins
	}
	nIn := 1
	if len(from) > 1 && rng.IntN(3) == 0 {
		nIn = 2
	}
	perm := rng.Perm(len(from))
	ins := make([]*coin, 0, nIn)
	var total int64
	for _, i := range perm[:nIn] {
		ins = append(ins, from[i])
		total += from[i].out.Value
	}
	nOut := 1 + rng.IntN(3)
	scripts := make([][]byte, nOut)
	for i := range scripts {
		scripts[i] = n.wallet.p2wpkh
		if rng.IntN(100) < legacyOutPct {
			scripts[i] = n.wallet.p2pkh
		}
	}
	feeRate := int64(1 + rng.IntN(maxFeeRate))

	// Build once with a rough fee, measure, then rebuild with the exact
	// fee for the measured size.
	fee := feeRate * 250
	var tx *wire.MsgTx
	for pass := 0; pass < 2; pass++ {
		var err error
		tx, err = n.buildSpend(rng, ins, scripts, total-fee)
		if err != nil {
			return nil, err
		}
		vsize := (blockchain.GetTransactionWeight(btcutil.NewTx(tx)) + 3) / 4
		fee = feeRate * vsize
	}
	utx := btcutil.NewTx(tx)
	if err := blockchain.CheckTransactionSanity(utx); err != nil {
		return nil, fmt.Errorf("demo: synthetic tx sanity: %w", err)
	}
	if err := n.verifyScripts(tx, ins); err != nil {
		return nil, err
	}
	var out int64
	for _, o := range tx.TxOut {
		out += o.Value
	}
	view := blockchain.NewUtxoViewpoint()
	for _, c := range ins {
		view.Entries()[c.op] = blockchain.NewUtxoEntry(&c.out, max(c.height, 1), c.coinbase)
	}
	sigops, err := blockchain.GetSigOpCost(utx, false, view, true, true)
	if err != nil {
		return nil, fmt.Errorf("demo: synthetic tx sigops: %w", err)
	}
	ptx := &poolTx{
		tx:        utx,
		fee:       total - out,
		weight:    blockchain.GetTransactionWeight(utx),
		sigopCost: int64(sigops),
	}
	n.pool.add(ptx)
	n.wallet.txAdded(utx)
	n.seq++
	n.notifyLocked()
	n.log.Debug("synthetic transaction", "txid", utx.Hash(), "fee", ptx.fee, "inputs", len(ins), "outputs", len(tx.TxOut))
	return ptx, nil
}

// buildSpend builds and signs a transaction spending ins to scripts, with
// outputs summing to value split at random.
func (n *Node) buildSpend(rng *rand.Rand, ins []*coin, scripts [][]byte, value int64) (*wire.MsgTx, error) {
	if value < minOutput {
		return nil, errNoCoins
	}
	if value < int64(len(scripts))*minOutput*2 {
		scripts = scripts[:1]
	}
	tx := wire.NewMsgTx(2)
	for _, c := range ins {
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: c.op, Sequence: wire.MaxTxInSequenceNum - 2})
	}
	left := value
	for i, s := range scripts {
		v := left
		if i < len(scripts)-1 {
			// A random share, leaving every later output its minimum.
			room := left - int64(len(scripts)-i)*minOutput
			v = minOutput + rng.Int64N(room/2+1)
		}
		tx.AddTxOut(wire.NewTxOut(v, s))
		left -= v
	}
	prev := make(map[wire.OutPoint]*wire.TxOut, len(ins))
	for _, c := range ins {
		prev[c.op] = &wire.TxOut{Value: c.out.Value, PkScript: c.out.PkScript}
	}
	hashes := txscript.NewTxSigHashes(tx, txscript.NewMultiPrevOutFetcher(prev))
	for i, c := range ins {
		switch {
		case txscript.IsPayToWitnessPubKeyHash(c.out.PkScript):
			w, err := txscript.WitnessSignature(tx, hashes, i, c.out.Value, c.out.PkScript,
				txscript.SigHashAll, n.wallet.key, true)
			if err != nil {
				return nil, fmt.Errorf("demo: sign segwit input: %w", err)
			}
			tx.TxIn[i].Witness = w
		default:
			ss, err := txscript.SignatureScript(tx, i, c.out.PkScript, txscript.SigHashAll, n.wallet.key, true)
			if err != nil {
				return nil, fmt.Errorf("demo: sign legacy input: %w", err)
			}
			tx.TxIn[i].SignatureScript = ss
		}
	}
	return tx, nil
}

// verifyScripts runs the script engine over every input of tx, so a signing
// bug can never reach a template.
func (n *Node) verifyScripts(tx *wire.MsgTx, ins []*coin) error {
	prev := make(map[wire.OutPoint]*wire.TxOut, len(ins))
	for _, c := range ins {
		prev[c.op] = &wire.TxOut{Value: c.out.Value, PkScript: c.out.PkScript}
	}
	fetcher := txscript.NewMultiPrevOutFetcher(prev)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	for i, c := range ins {
		vm, err := txscript.NewEngine(c.out.PkScript, tx, i, txscript.StandardVerifyFlags, nil,
			hashes, c.out.Value, fetcher)
		if err != nil {
			return fmt.Errorf("demo: synthetic tx input %d: %w", i, err)
		}
		if err := vm.Execute(); err != nil {
			return fmt.Errorf("demo: synthetic tx input %d: %w", i, err)
		}
	}
	return nil
}
