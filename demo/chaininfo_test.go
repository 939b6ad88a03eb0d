package demo

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

func TestChainQueriesLookLikeCore(t *testing.T) {
	n := startNode(t, Config{TxInterval: 20 * time.Millisecond})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	waitForWitnessTx(t, c)
	g := mineOne(t, c, pay)
	mineOne(t, c, pay)

	var bci struct {
		Chain                string   `json:"chain"`
		Blocks               int64    `json:"blocks"`
		Headers              int64    `json:"headers"`
		BestBlockHash        string   `json:"bestblockhash"`
		Difficulty           float64  `json:"difficulty"`
		InitialBlockDownload *bool    `json:"initialblockdownload"`
		Warnings             []string `json:"warnings"`
		Chainwork            string   `json:"chainwork"`
	}
	c.mustCall(t, &bci, "getblockchaininfo")
	if bci.Chain != ChainName || bci.Blocks != g.Height+1 || bci.Headers != bci.Blocks ||
		bci.InitialBlockDownload == nil || *bci.InitialBlockDownload || bci.Warnings == nil || len(bci.Chainwork) != 64 {
		t.Errorf("getblockchaininfo = %+v", bci)
	}
	var best string
	c.mustCall(t, &best, "getbestblockhash")
	if best != bci.BestBlockHash {
		t.Errorf("getbestblockhash %s, getblockchaininfo says %s", best, bci.BestBlockHash)
	}
	var count int64
	c.mustCall(t, &count, "getblockcount")
	if count != bci.Blocks {
		t.Errorf("getblockcount %d, want %d", count, bci.Blocks)
	}

	// The block mined from g, by height and by hash.
	var hash string
	c.mustCall(t, &hash, "getblockhash", g.Height)
	var hdr struct {
		Hash          string  `json:"hash"`
		Confirmations int64   `json:"confirmations"`
		Height        int64   `json:"height"`
		Bits          string  `json:"bits"`
		Difficulty    float64 `json:"difficulty"`
		Previous      string  `json:"previousblockhash"`
		Next          string  `json:"nextblockhash"`
		NTx           int     `json:"nTx"`
		MedianTime    int64   `json:"mediantime"`
	}
	c.mustCall(t, &hdr, "getblockheader", hash)
	if hdr.Hash != hash || hdr.Confirmations != 2 || hdr.Height != g.Height || hdr.Bits != g.Bits ||
		hdr.Previous != g.PreviousBlockHash || hdr.Next != best || hdr.NTx != len(g.Transactions)+1 || hdr.MedianTime == 0 {
		t.Errorf("getblockheader = %+v (template %d txs, bits %s)", hdr, len(g.Transactions), g.Bits)
	}
	var rawHdr string
	c.mustCall(t, &rawHdr, "getblockheader", hash, false)
	hb, err := hex.DecodeString(rawHdr)
	if err != nil || len(hb) != 80 {
		t.Fatalf("raw header %q", rawHdr)
	}
	var wh wire.BlockHeader
	if err := wh.Deserialize(bytes.NewReader(hb)); err != nil || wh.BlockHash().String() != hash {
		t.Errorf("raw header hashes to %s, want %s (%v)", wh.BlockHash(), hash, err)
	}

	var rawBlk string
	c.mustCall(t, &rawBlk, "getblock", hash, 0)
	bb, _ := hex.DecodeString(rawBlk)
	blk, err := btcutil.NewBlockFromBytes(bb)
	if err != nil || blk.Hash().String() != hash {
		t.Fatalf("getblock 0 does not decode to the block: %v", err)
	}
	var v1 struct {
		Tx     []string `json:"tx"`
		Weight int64    `json:"weight"`
		Size   int      `json:"size"`
	}
	c.mustCall(t, &v1, "getblock", hash, 1)
	if len(v1.Tx) != len(blk.Transactions()) || v1.Tx[0] != blk.Transactions()[0].Hash().String() ||
		v1.Weight != blockchain.GetBlockWeight(blk) || v1.Size != len(bb) {
		t.Errorf("getblock 1: %d txs weight %d size %d", len(v1.Tx), v1.Weight, v1.Size)
	}
	var v2 struct {
		Tx []struct {
			TxID string `json:"txid"`
			Hash string `json:"hash"`
			Vin  []struct {
				Coinbase string   `json:"coinbase"`
				TxID     string   `json:"txid"`
				Witness  []string `json:"txinwitness"`
			} `json:"vin"`
			Vout []struct {
				ScriptPubKey struct {
					Type string `json:"type"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"tx"`
	}
	c.mustCall(t, &v2, "getblock", hash, 2)
	if len(v2.Tx) < 2 || v2.Tx[0].Vin[0].Coinbase == "" || v2.Tx[1].Vin[0].TxID == "" {
		t.Fatalf("getblock 2: %+v", v2)
	}
	types := map[string]bool{}
	for _, tx := range v2.Tx {
		for _, o := range tx.Vout {
			types[o.ScriptPubKey.Type] = true
		}
	}
	if !types["witness_v0_keyhash"] || !types["nulldata"] {
		t.Errorf("output types %v, want witness_v0_keyhash and nulldata among them", types)
	}

	var mi struct {
		Blocks        int64    `json:"blocks"`
		Difficulty    float64  `json:"difficulty"`
		NetworkHashPS float64  `json:"networkhashps"`
		Chain         string   `json:"chain"`
		Warnings      []string `json:"warnings"`
		Next          struct {
			Height int64  `json:"height"`
			Bits   string `json:"bits"`
		} `json:"next"`
	}
	c.mustCall(t, &mi, "getmininginfo")
	next := c.template(t)
	if mi.Blocks != bci.Blocks || mi.Chain != ChainName || mi.Warnings == nil || mi.Next.Height != bci.Blocks+1 ||
		mi.Next.Bits != next.Bits || mi.NetworkHashPS < 0 || mi.Difficulty != bci.Difficulty {
		t.Errorf("getmininginfo = %+v", mi)
	}
	var diff float64
	c.mustCall(t, &diff, "getdifficulty")
	if diff != bci.Difficulty {
		t.Errorf("getdifficulty %g, getblockchaininfo %g", diff, bci.Difficulty)
	}
	var ni struct {
		Version     int      `json:"version"`
		Connections *int     `json:"connections"`
		Warnings    []string `json:"warnings"`
	}
	c.mustCall(t, &ni, "getnetworkinfo")
	if ni.Version != networkVersion || ni.Connections == nil || *ni.Connections != 0 || ni.Warnings == nil {
		t.Errorf("getnetworkinfo = %+v", ni)
	}

	for _, tt := range []struct {
		name string
		args []any
		code int
	}{
		{"unknown block", []any{strings.Repeat("0", 63) + "1"}, codeNotFound},
		{"short hash", []any{"abc"}, codeInvalidParam},
		{"not hex", []any{strings.Repeat("z", 64)}, codeInvalidParam},
		{"hash not a string", []any{5}, codeType},
	} {
		if _, rerr := c.call(t, "getblockheader", tt.args...); rerr == nil || rerr.Code != tt.code {
			t.Errorf("getblockheader %s: %v, want code %d", tt.name, rerr, tt.code)
		}
	}
}

func TestTemplateTransactionsMatchTheirData(t *testing.T) {
	n := startNode(t, Config{TxInterval: 10 * time.Millisecond})
	c := newClient(t, n)
	var g *gbt
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		g = c.template(t)
		if len(g.Transactions) >= 8 {
			break
		}
	}
	index := map[string]int64{}
	depends := 0
	for i, tx := range g.Transactions {
		raw, _ := hex.DecodeString(tx.Data)
		var m wire.MsgTx
		if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		u := btcutil.NewTx(&m)
		if u.Hash().String() != tx.TxID || u.WitnessHash().String() != tx.Hash {
			t.Errorf("tx %d: txid/hash %s/%s, data hashes to %s/%s", i, tx.TxID, tx.Hash, u.Hash(), u.WitnessHash())
		}
		if w := blockchain.GetTransactionWeight(u); w != tx.Weight {
			t.Errorf("tx %d: weight %d, want %d", i, tx.Weight, w)
		}
		// Sigop cost: 4 per P2PKH output (legacy counting looks at this
		// tx's output scripts), 1 per P2WPKH input (witness sigop).
		var want int64
		for _, o := range m.TxOut {
			if txscript.IsPayToPubKeyHash(o.PkScript) {
				want += 4
			}
		}
		for _, in := range m.TxIn {
			if len(in.Witness) == 2 {
				want++
			}
		}
		if tx.Sigops != want {
			t.Errorf("tx %d: sigops %d, want %d", i, tx.Sigops, want)
		}
		for _, in := range m.TxIn {
			if j, ok := index[in.PreviousOutPoint.Hash.String()]; ok {
				found := false
				for _, d := range tx.Depends {
					found = found || d == j
				}
				if !found {
					t.Errorf("tx %d spends tx %d but depends is %v", i+1, j, tx.Depends)
				}
				depends++
			}
		}
		index[tx.TxID] = int64(i + 1)
	}
	t.Logf("%d transactions, %d in-template spends", len(g.Transactions), depends)
}

func TestCoreDifficulty(t *testing.T) {
	tests := []struct {
		bits uint32
		want float64
	}{
		{0x1d00ffff, 1},
		{0x207fffff, 4.656542373906925e-10},
		{0x1b0404cb, 16307.420938523983},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%08x", tt.bits), func(t *testing.T) {
			if got := coreDifficulty(tt.bits); math.Abs(got-tt.want)/tt.want > 1e-12 {
				t.Errorf("coreDifficulty = %g, want %g", got, tt.want)
			}
		})
	}
}

// BenchmarkStart measures start-up: database, premine, server.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		n, err := Start(context.Background(), Config{Dir: b.TempDir(), TxInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		n.Close()
	}
}
