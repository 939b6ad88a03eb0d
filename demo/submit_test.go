package demo

import (
	"math/big"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// waitForWitnessTx polls templates until one carries a segwit spend.
func waitForWitnessTx(t *testing.T, c *rpcClient) *gbt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		g := c.template(t)
		for _, tx := range g.Transactions {
			if tx.Hash != tx.TxID {
				return g
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no template with a segwit spend after 10 s")
	return nil
}

func TestSubmitBlockRejectsWithCoreReasons(t *testing.T) {
	n := startNode(t, Config{TxInterval: 20 * time.Millisecond})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	// Mine past the first retarget so bits are no longer the powlimit.
	for i := 0; i < 3; i++ {
		mineOne(t, c, pay)
	}
	// Blocks built from g stay valid while the trickle goes on: the tip
	// does not move and g's transactions stay unspent.
	g := waitForWitnessTx(t, c)

	tests := []struct {
		name   string
		mutate func(mb *minedBlock) // nil: no change
		meet   bool                 // grind to meet the target
		want   string
	}{
		{"wrong merkle root", func(mb *minedBlock) { mb.msg.Header.MerkleRoot[5] ^= 1 }, true, "bad-txnmrklroot"},
		{"coinbase pays one satoshi too much", func(mb *minedBlock) {
			mb.coinbase.TxOut[0].Value++
			mb.fixMerkle()
		}, true, "bad-cb-amount"},
		{"witness commitment byte flipped", func(mb *minedBlock) {
			mb.coinbase.TxOut[1].PkScript[20] ^= 1
			mb.fixMerkle()
		}, true, "bad-witness-merkle-match"},
		{"commitment output dropped with witness txs present", func(mb *minedBlock) {
			mb.coinbase.TxOut = mb.coinbase.TxOut[:1]
			mb.coinbase.TxIn[0].Witness = nil
			mb.fixMerkle()
		}, true, "unexpected-witness"},
		{"coinbase witness reserved value missing", func(mb *minedBlock) {
			mb.coinbase.TxIn[0].Witness = nil
		}, true, "bad-witness-nonce-size"},
		{"too little work", nil, false, "high-hash"},
		{"bits not the required difficulty", func(mb *minedBlock) {
			harder := new(big.Int).Rsh(mb.target, 1)
			mb.msg.Header.Bits = blockchain.BigToCompact(harder)
			mb.target = blockchain.CompactToBig(mb.msg.Header.Bits)
		}, true, "bad-diffbits"},
		{"time not after median time past", func(mb *minedBlock) {
			mb.msg.Header.Timestamp = time.Unix(g.MinTime-1, 0)
		}, true, "time-too-old"},
		{"time more than two hours ahead", func(mb *minedBlock) {
			mb.msg.Header.Timestamp = time.Now().Add(2*time.Hour + 10*time.Minute)
		}, true, "time-too-new"},
		{"BIP34 height off by one", func(mb *minedBlock) {
			mb.coinbase.TxIn[0].SignatureScript = append(bip34Height(g.Height+1), 1, 0)
			mb.fixMerkle()
		}, true, "bad-cb-height"},
		{"version 1", func(mb *minedBlock) { mb.msg.Header.Version = 1 }, true, "bad-version(0x00000001)"},
		{"unknown parent", func(mb *minedBlock) {
			mb.msg.Header.PrevBlock = chainhash.Hash{1, 2, 3}
		}, true, "prev-blk-not-found"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mb := buildBlock(t, g, pay, uint32(1000+i))
			if tt.mutate != nil {
				tt.mutate(mb)
			}
			mb.grind(t, tt.meet)
			if got := c.submit(t, mb); got != tt.want {
				t.Errorf("submitblock = %q, want %q", got, tt.want)
			}
		})
	}

	t.Run("resubmitting", func(t *testing.T) {
		bad := buildBlock(t, g, pay, 77)
		bad.coinbase.TxOut[0].Value++
		bad.fixMerkle()
		bad.grind(t, true)
		c.submit(t, bad)
		if got := c.submit(t, bad); got != "duplicate-invalid" {
			t.Errorf("second submit of an invalid block = %q, want duplicate-invalid", got)
		}
		good := buildBlock(t, g, pay, 78)
		good.grind(t, true)
		if got := c.submit(t, good); got != "" {
			t.Fatalf("valid block after the rejects = %q, want null", got)
		}
		if got := c.submit(t, good); got != "duplicate" {
			t.Errorf("second submit of an accepted block = %q, want duplicate", got)
		}
		var best string
		c.mustCall(t, &best, "getbestblockhash")
		if best != good.msg.BlockHash().String() {
			t.Errorf("tip %s, want the accepted block %s", best, good.msg.BlockHash())
		}
		// A valid block on the old parent is a side branch.
		side := buildBlock(t, g, pay, 79)
		side.grind(t, true)
		if got := c.submit(t, side); got != "inconclusive" {
			t.Errorf("side-branch block = %q, want inconclusive", got)
		}
	})
}

func TestSubmitBlockDecodeErrors(t *testing.T) {
	n := startNode(t, Config{})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	g := c.template(t)
	mb := buildBlock(t, g, pay, 1)
	mb.msg.Transactions = mb.msg.Transactions[1:] // no coinbase: zero txs
	noCoinbase := mb.hex(t)
	tests := []struct {
		name, hex string
		code      int
	}{
		{"not hex", "zz", codeDeserialize},
		{"truncated", "0000", codeDeserialize},
		{"no coinbase", noCoinbase, codeDeserialize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rerr := c.call(t, "submitblock", tt.hex)
			if rerr == nil || rerr.Code != tt.code {
				t.Errorf("error %v, want code %d", rerr, tt.code)
			}
		})
	}
	if _, rerr := c.call(t, "submitblock"); rerr == nil {
		t.Error("submitblock without data succeeded")
	}
}

func TestEveryRuleErrorHasACoreReason(t *testing.T) {
	for code := blockchain.ErrDuplicateBlock; code <= blockchain.ErrPrevBlockNotBest; code++ {
		if code == blockchain.ErrBlockVersionTooOld {
			continue
		}
		if _, ok := coreRejects[code]; !ok {
			t.Errorf("%v has no Bitcoin Core reject reason", code)
		}
	}
}
