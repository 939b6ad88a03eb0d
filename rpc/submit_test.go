package rpc

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/soloist-miner/soloist/miner"
)

// submitCases are real answers of Bitcoin Core (BIP22 strings) and btcd
// ("rejected: …" with btcd v0.24.2's rule-error texts).
var submitCases = []struct {
	reply string
	want  miner.SubmitOutcome
}{
	{"duplicate", miner.SubmitDuplicate},
	{"inconclusive", miner.SubmitInconclusive},
	{"high-hash", miner.SubmitHighHash},
	{"bad-txnmrklroot", miner.SubmitBadMerkle},
	{"bad-cb-height", miner.SubmitBadCoinbaseHeight},
	{"bad-cb-amount", miner.SubmitBadCoinbaseValue},
	{"bad-witness-nonce-size", miner.SubmitBadWitness},
	{"bad-witness-merkle-match", miner.SubmitBadWitness},
	{"unexpected-witness", miner.SubmitBadWitness},
	{"bad-diffbits", miner.SubmitBadDifficulty},
	{"time-too-old", miner.SubmitBadTime},
	{"time-too-new", miner.SubmitBadTime},
	{"time-timewarp-attack", miner.SubmitBadTime},
	{"prev-blk-not-found", miner.SubmitStale},
	{"bad-prevblk", miner.SubmitStale},
	{"stale-prevblk", miner.SubmitStale},
	{"duplicate-invalid", miner.SubmitInvalid},
	{"bad-txns-nonfinal", miner.SubmitInvalid},
	{"bad-cb-length", miner.SubmitInvalid},
	{"bad-blk-weight", miner.SubmitInvalid},
	{"bad-version(0x00000001)", miner.SubmitInvalid},
	{"bad-signet-blksig", miner.SubmitInvalid},
	{"rejected", miner.SubmitRejected},
	{"something-new", miner.SubmitRejected},
	// btcd
	{"rejected: already have block 7f0243354d619fbde477ab45f88088a7c04a62446652800ca29803444a8eddd6", miner.SubmitDuplicate},
	{"rejected: already have block (orphan) 7f0243354d619fbde477ab45f88088a7c04a62446652800ca29803444a8eddd6", miner.SubmitInconclusive},
	{"rejected: block hash of 7f0243354d619fbde477ab45f88088a7c04a62446652800ca29803444a8eddd6 is higher than expected max of 7fffff0000000000000000000000000000000000000000000000000000000000", miner.SubmitHighHash},
	{"rejected: block merkle root is invalid - block header indicates 1111111111111111111111111111111111111111111111111111111111111111, but calculated value is 2222222222222222222222222222222222222222222222222222222222222222", miner.SubmitBadMerkle},
	{"rejected: coinbase transaction for block pays 5000000001 which is more than expected value of 5000000000", miner.SubmitBadCoinbaseValue},
	{"rejected: block contains transaction with witness data, yet no witness commitment present", miner.SubmitBadWitness},
	{"rejected: the coinbase transaction has 0 items in its witness stack when only one is allowed", miner.SubmitBadWitness},
	{"rejected: witness commitment does not match: computed 11, coinbase includes 22", miner.SubmitBadWitness},
	{"rejected: block difficulty of 545259519 is not the expected value of 486604799", miner.SubmitBadDifficulty},
	{"rejected: block timestamp of 2026-12-01 07:00:00 +0000 UTC is not after expected 2026-12-01 07:10:00 +0000 UTC", miner.SubmitBadTime},
	{"rejected: block timestamp of 2027-01-01 00:00:00 +0000 UTC is too far in the future", miner.SubmitBadTime},
	{"rejected: the coinbase signature script serialized block height is 12 when 13 was expected", miner.SubmitBadCoinbaseHeight},
	{"rejected: the coinbase signature script for blocks of version 2 or greater must start with the length of the serialized block height", miner.SubmitBadCoinbaseHeight},
	{"rejected: previous block 46f1b64ad42ca35fce336d0dce20856821cf645d89e84c42dc59d8a7c2817985 is known to be invalid", miner.SubmitStale},
	{"rejected: block contains second coinbase at index 1", miner.SubmitRejected},
}

// TestSubmitOutcomes sends each answer through a fake node and checks the
// outcome and that the node's text is kept verbatim.
func TestSubmitOutcomes(t *testing.T) {
	f := newFakeNode(t)
	var answer any
	f.handle("submitblock", func(params []json.RawMessage) (any, *rpcErr) {
		var hexBlock string
		if len(params) != 1 || json.Unmarshal(params[0], &hexBlock) != nil || hexBlock != "00ff" {
			return nil, &rpcErr{-22, "Block decode failed"}
		}
		return answer, nil
	})
	c := f.client(t, "regtest")
	for _, tc := range submitCases {
		t.Run(tc.reply, func(t *testing.T) {
			answer = tc.reply
			res, err := c.SubmitBlock(context.Background(), []byte{0x00, 0xff})
			if err != nil {
				t.Fatal(err)
			}
			if res.Outcome != tc.want || res.Reason != tc.reply {
				t.Errorf("got %v %q, want %v %q", res.Outcome, res.Reason, tc.want, tc.reply)
			}
		})
	}
	t.Run("null", func(t *testing.T) {
		answer = nil
		res, err := c.SubmitBlock(context.Background(), []byte{0x00, 0xff})
		if err != nil || res.Outcome != miner.SubmitAccepted || res.Reason != "" {
			t.Errorf("got %+v, %v; want accepted", res, err)
		}
	})
}

// TestSubmitNodeErrors: a decode failure is a verdict; a syncing node is an error.
func TestSubmitNodeErrors(t *testing.T) {
	f := newFakeNode(t)
	c := f.client(t, "mainnet")
	f.fail("submitblock", -22, "Block decode failed")
	res, err := c.SubmitBlock(context.Background(), []byte{1})
	if err != nil || res.Outcome != miner.SubmitRejected || res.Reason != "Block decode failed" {
		t.Errorf("decode failure: %+v, %v", res, err)
	}
	f.fail("submitblock", -25, "Block does not start with a coinbase")
	if res, err := c.SubmitBlock(context.Background(), []byte{1}); err != nil || res.Outcome != miner.SubmitRejected {
		t.Errorf("verify error: %+v, %v", res, err)
	}
	f.fail("submitblock", -10, "Bitcoin Core is in initial sync and waiting for blocks...")
	if _, err := c.SubmitBlock(context.Background(), []byte{1}); !isKind(err, miner.ErrSyncing) {
		t.Errorf("syncing: err = %v", err)
	}
}
