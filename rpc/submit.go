package rpc

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"

	"strings"

	"github.com/soloist-miner/soloist/miner"
)

// SubmitBlock sends block (witness serialization) with submitblock on the
// client's submit-only transport. A JSON null is SubmitAccepted; a result
// string maps to an outcome (see ClassifySubmit) with the string in Reason.
// btcd answers null for an orphan (unknown parent), so callers confirm with
// BlockStatus. Decode and verify errors (-22, -25) are verdicts too; only a
// transport or node-state failure is an error.
func (c *Client) SubmitBlock(ctx context.Context, block []byte) (miner.SubmitResult, error) {
	raw, err := c.submit.call(ctx, c.timeout, "submitblock", hex.EncodeToString(block))
	if err != nil {
		var ne *NodeError
		if errors.As(err, &ne) && (ne.Code == codeDeserialization || ne.Code == codeVerify) {
			return miner.SubmitResult{Outcome: ClassifySubmit(ne.Message), Reason: ne.Message}, nil
		}
		return miner.SubmitResult{}, err
	}
	return parseSubmitResult(raw)
}

// parseSubmitResult maps submitblock's raw result.
func parseSubmitResult(raw json.RawMessage) (miner.SubmitResult, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return miner.SubmitResult{Outcome: miner.SubmitAccepted}, nil
	}
	var reason string
	if err := json.Unmarshal(raw, &reason); err != nil {
		return miner.SubmitResult{Outcome: miner.SubmitRejected, Reason: short(s)}, nil
	}
	return miner.SubmitResult{Outcome: ClassifySubmit(reason), Reason: reason}, nil
}

// coreOutcomes maps Bitcoin Core's BIP22 reject strings.
var coreOutcomes = map[string]miner.SubmitOutcome{
	"duplicate":                     miner.SubmitDuplicate,
	"inconclusive":                  miner.SubmitInconclusive,
	"duplicate-inconclusive":        miner.SubmitInconclusive,
	"high-hash":                     miner.SubmitHighHash,
	"bad-txnmrklroot":               miner.SubmitBadMerkle,
	"bad-cb-height":                 miner.SubmitBadCoinbaseHeight,
	"bad-cb-amount":                 miner.SubmitBadCoinbaseValue,
	"unexpected-witness":            miner.SubmitBadWitness,
	"bad-diffbits":                  miner.SubmitBadDifficulty,
	"time-too-old":                  miner.SubmitBadTime,
	"time-too-new":                  miner.SubmitBadTime,
	"time-timewarp-attack":          miner.SubmitBadTime,
	"prev-blk-not-found":            miner.SubmitStale,
	"bad-prevblk":                   miner.SubmitStale,
	"inconclusive-not-best-prevblk": miner.SubmitStale,
	"duplicate-invalid":             miner.SubmitInvalid,
	"rejected":                      miner.SubmitRejected,
}

// Prefixes of other consensus failures Core reports (bad-txns-…, bad-blk-…).
var invalidPrefixes = []string{
	"bad-txns-", "bad-blk-", "bad-cb-", "bad-version", "bad-signet-",
	"block-script-verify-flag-failed", "mandatory-script-verify-flag-failed",
	"checkpoint", "too-little-chainwork",
}

// ClassifySubmit maps a submitblock result string (Bitcoin Core's BIP22
// reason, or btcd's "rejected: <text>") to an outcome. Unknown strings are
// SubmitRejected.
func ClassifySubmit(reason string) miner.SubmitOutcome {
	r := strings.TrimSpace(reason)
	if o, ok := coreOutcomes[r]; ok {
		return o
	}
	switch {
	case strings.HasPrefix(r, "bad-witness-"):
		return miner.SubmitBadWitness
	case strings.HasPrefix(r, "stale-"):
		return miner.SubmitStale
	}
	if text, ok := strings.CutPrefix(r, "rejected:"); ok {
		return classifyBtcd(strings.ToLower(strings.TrimSpace(text)))
	}
	for _, p := range invalidPrefixes {
		if strings.HasPrefix(r, p) {
			return miner.SubmitInvalid
		}
	}
	return miner.SubmitRejected
}

// classifyBtcd maps the text of btcd's "rejected: …" (btcd's blockchain rule
// errors, lower-cased). Order matters: the witness checks mention merkle
// roots and commitments too.
func classifyBtcd(t string) miner.SubmitOutcome {
	has := strings.Contains
	switch {
	case has(t, "already have block (orphan)"):
		return miner.SubmitInconclusive
	case has(t, "already have block"):
		return miner.SubmitDuplicate
	case has(t, "witness"):
		// "witness commitment does not match", "transaction with witness
		// data, yet no witness commitment", "items in its witness stack",
		// "witness nonce".
		return miner.SubmitBadWitness
	case has(t, "block hash of") && has(t, "higher than"):
		return miner.SubmitHighHash
	case has(t, "merkle root is invalid"):
		return miner.SubmitBadMerkle
	case has(t, "coinbase signature script") && has(t, "height"):
		return miner.SubmitBadCoinbaseHeight
	case has(t, "pays") && has(t, "more than expected"):
		return miner.SubmitBadCoinbaseValue
	case has(t, "difficulty of") && (has(t, "not the expected") || has(t, "too low") || has(t, "higher than max")):
		return miner.SubmitBadDifficulty
	case has(t, "timestamp"):
		return miner.SubmitBadTime
	case has(t, "previous block") || has(t, "current chain tip"):
		return miner.SubmitStale
	}
	return miner.SubmitRejected
}
