package demo

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// maxInvalidRemembered bounds the set of rejected block hashes kept to answer
// "duplicate-invalid".
const maxInvalidRemembered = 1000

// coreRejects maps btcd rule error codes to Bitcoin Core's BIP22 reject
// reasons. ErrBlockVersionTooOld is formatted with the version separately.
var coreRejects = map[blockchain.ErrorCode]string{
	blockchain.ErrDuplicateBlock:            "duplicate",
	blockchain.ErrBlockTooBig:               "bad-blk-length",
	blockchain.ErrBlockWeightTooHigh:        "bad-blk-weight",
	blockchain.ErrInvalidTime:               "time-invalid",
	blockchain.ErrTimeTooOld:                "time-too-old",
	blockchain.ErrTimeTooNew:                "time-too-new",
	blockchain.ErrDifficultyTooLow:          "bad-diffbits",
	blockchain.ErrUnexpectedDifficulty:      "bad-diffbits",
	blockchain.ErrHighHash:                  "high-hash",
	blockchain.ErrBadMerkleRoot:             "bad-txnmrklroot",
	blockchain.ErrBadCheckpoint:             "checkpoint-mismatch",
	blockchain.ErrForkTooOld:                "bad-fork-prior-to-checkpoint",
	blockchain.ErrCheckpointTimeTooOld:      "time-too-old",
	blockchain.ErrNoTransactions:            "bad-blk-length",
	blockchain.ErrNoTxInputs:                "bad-txns-vin-empty",
	blockchain.ErrNoTxOutputs:               "bad-txns-vout-empty",
	blockchain.ErrTxTooBig:                  "bad-txns-oversize",
	blockchain.ErrBadTxOutValue:             "bad-txns-vout-toolarge",
	blockchain.ErrDuplicateTxInputs:         "bad-txns-inputs-duplicate",
	blockchain.ErrBadTxInput:                "bad-txns-prevout-null",
	blockchain.ErrMissingTxOut:              "bad-txns-inputs-missingorspent",
	blockchain.ErrUnfinalizedTx:             "bad-txns-nonfinal",
	blockchain.ErrDuplicateTx:               "bad-txns-duplicate",
	blockchain.ErrOverwriteTx:               "bad-txns-BIP30",
	blockchain.ErrImmatureSpend:             "bad-txns-premature-spend-of-coinbase",
	blockchain.ErrSpendTooHigh:              "bad-txns-in-belowout",
	blockchain.ErrBadFees:                   "bad-txns-fee-outofrange",
	blockchain.ErrTooManySigOps:             "bad-blk-sigops",
	blockchain.ErrFirstTxNotCoinbase:        "bad-cb-missing",
	blockchain.ErrMultipleCoinbases:         "bad-cb-multiple",
	blockchain.ErrBadCoinbaseScriptLen:      "bad-cb-length",
	blockchain.ErrBadCoinbaseValue:          "bad-cb-amount",
	blockchain.ErrMissingCoinbaseHeight:     "bad-cb-height",
	blockchain.ErrBadCoinbaseHeight:         "bad-cb-height",
	blockchain.ErrScriptMalformed:           "mandatory-script-verify-flag-failed",
	blockchain.ErrScriptValidation:          "mandatory-script-verify-flag-failed",
	blockchain.ErrUnexpectedWitness:         "unexpected-witness",
	blockchain.ErrInvalidWitnessCommitment:  "bad-witness-nonce-size",
	blockchain.ErrWitnessCommitmentMismatch: "bad-witness-merkle-match",
	blockchain.ErrPreviousBlockUnknown:      "prev-blk-not-found",
	blockchain.ErrInvalidAncestorBlock:      "bad-prevblk",
	blockchain.ErrPrevBlockNotBest:          "inconclusive-not-best-prevblk",
}

// rejectReason returns Bitcoin Core's reject string for a btcd rule error.
func rejectReason(re blockchain.RuleError, h *wire.BlockHeader) string {
	if re.ErrorCode == blockchain.ErrBlockVersionTooOld {
		return fmt.Sprintf("bad-version(0x%08x)", uint32(h.Version))
	}
	if s, ok := coreRejects[re.ErrorCode]; ok {
		return s
	}
	return "rejected"
}

// decodeBlockHex decodes a block in witness serialization, as submitblock
// and proposals carry it.
func decodeBlockHex(s string) (*wire.MsgBlock, *rpcError) {
	raw, err := hex.DecodeString(s)
	if err != nil || len(raw) < wire.MaxBlockHeaderPayload {
		return nil, errDecode("Block decode failed")
	}
	var msg wire.MsgBlock
	r := bytes.NewReader(raw)
	if err := msg.Deserialize(r); err != nil || r.Len() != 0 {
		return nil, errDecode("Block decode failed")
	}
	if len(msg.Transactions) == 0 || !blockchain.IsCoinBaseTx(msg.Transactions[0]) {
		return nil, errDecode("Block does not start with a coinbase")
	}
	return &msg, nil
}

// submitBlock validates and stores a block; it returns nil on acceptance or
// a BIP22 reason, as Bitcoin Core's submitblock does.
func (n *Node) submitBlock(msg *wire.MsgBlock) (*string, error) {
	blk := btcutil.NewBlock(msg)
	hash := *blk.Hash()
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed() {
		return nil, errShuttingDown
	}
	isMain, isOrphan, err := n.processBlockLocked(blk)
	str := func(s string) *string { return &s }
	if err != nil {
		var re blockchain.RuleError
		if !errors.As(err, &re) {
			return nil, fmt.Errorf("demo: process block: %w", err)
		}
		if re.ErrorCode == blockchain.ErrDuplicateBlock {
			if _, bad := n.invalid[hash]; bad {
				return str("duplicate-invalid"), nil
			}
			return str("duplicate"), nil
		}
		reason := rejectReason(re, &msg.Header)
		if len(n.invalid) >= maxInvalidRemembered {
			clear(n.invalid)
		}
		n.invalid[hash] = reason
		n.log.Info("block rejected", "hash", hash, "reason", reason, "detail", re.Description)
		return str(reason), nil
	}
	if isOrphan {
		n.log.Info("block with unknown parent", "hash", hash)
		return str("prev-blk-not-found"), nil
	}
	if !isMain {
		n.log.Info("block stored on a side chain", "hash", hash)
		return str("inconclusive"), nil
	}
	n.log.Info("block accepted", "height", blk.Height(), "hash", hash, "txs", len(msg.Transactions))
	return nil, nil
}

// checkProposal validates a block proposal (BIP23) against the tip without
// proof of work and returns nil or a BIP22 reason.
func (n *Node) checkProposal(msg *wire.MsgBlock) *string {
	str := func(s string) *string { return &s }
	hash := msg.BlockHash()
	n.mu.Lock()
	defer n.mu.Unlock()
	if ok, _ := n.chain.HaveBlock(&hash); ok {
		if _, bad := n.invalid[hash]; bad {
			return str("duplicate-invalid")
		}
		return str("duplicate")
	}
	err := n.chain.CheckConnectBlockTemplate(btcutil.NewBlock(msg))
	if err == nil {
		return nil
	}
	var re blockchain.RuleError
	if errors.As(err, &re) {
		return str(rejectReason(re, &msg.Header))
	}
	return str("rejected")
}

// processBlockLocked runs btcd's ProcessBlock and then brings wallet,
// mempool, template cache and long polls up to date. Callers hold n.mu.
func (n *Node) processBlockLocked(blk *btcutil.Block) (isMain, isOrphan bool, err error) {
	before := n.chain.BestSnapshot().Hash
	isMain, isOrphan, err = n.chain.ProcessBlock(blk, blockchain.BFNone)
	n.afterChainChangeLocked(before)
	return isMain, isOrphan, err
}

// afterChainChangeLocked applies the chain notifications recorded since the
// tip was before to wallet and mempool and, if the tip moved, resets the
// template cache, re-arms the stall timers and wakes long polls. Callers
// hold n.mu.
func (n *Node) afterChainChangeLocked(before chainhash.Hash) {
	mined := make(map[chainhash.Hash]bool)
	for _, ev := range n.takeEvents() {
		b, ok := ev.Data.(*btcutil.Block)
		if !ok {
			continue
		}
		switch ev.Type {
		case blockchain.NTBlockConnected:
			n.wallet.blockConnected(b)
			for _, tx := range b.Transactions() {
				mined[*tx.Hash()] = true
			}
		case blockchain.NTBlockDisconnected:
			n.wallet.blockDisconnected(b)
		}
	}
	best := n.chain.BestSnapshot()
	if best.Hash != before {
		dropped := n.pool.revalidate(mined, best.Height+1, int32(n.params.CoinbaseMaturity),
			n.chain.FetchUtxoEntry)
		for _, ptx := range dropped {
			n.wallet.txDropped(ptx.tx)
		}
		n.cache = nil
		n.phaseSeq = 0
		n.armStallTimersLocked()
		n.notifyLocked()
	}
}

// premine mines count blocks paying the node's wallet, at the easy starting
// difficulty, so that the synthetic transactions have coins to spend.
func (n *Node) premine(ctx context.Context, count int) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	for i := 0; i < count; i++ {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("demo: start-up cancelled: %w", err)
		}
		t, err := n.templateLocked()
		if err != nil {
			return err
		}
		msg, err := t.assemble(n.wallet.p2wpkh, uint64(i))
		if err != nil {
			return err
		}
		if !solveHeader(&msg.Header, blockchain.CompactToBig(msg.Header.Bits)) {
			return errors.New("demo: premine: no nonce solves the block")
		}
		_, _, err = n.processBlockLocked(btcutil.NewBlock(msg))
		if err != nil {
			return fmt.Errorf("demo: premine block %d: %w", i+1, err)
		}
	}
	return nil
}
