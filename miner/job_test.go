package miner

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// btcdTemplate loads the real btcd regtest template with three witness
// transactions (a minimal parse: package rpc owns the real one).
func btcdTemplate(t *testing.T) *Template {
	t.Helper()
	raw, err := os.ReadFile("testdata/btcd_regtest_template_with_segwit_txs.json")
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Bits    string `json:"bits"`
		CurTime int64  `json:"curtime"`
		Height  int64  `json:"height"`
		Prev    string `json:"previousblockhash"`
		Txs     []struct {
			Data string `json:"data"`
			TxID string `json:"txid"`
			Hash string `json:"hash"`
			Fee  int64  `json:"fee"`
		} `json:"transactions"`
		Version int32  `json:"version"`
		Value   int64  `json:"coinbasevalue"`
		DWC     string `json:"default_witness_commitment"`
		Target  string `json:"target"`
		MaxTime int64  `json:"maxtime"`
		MinTime int64  `json:"mintime"`
		LP      string `json:"longpollid"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	bits, _ := strconv.ParseUint(v.Bits, 16, 32)
	prev, _ := chainhash.NewHashFromStr(v.Prev)
	tm := &Template{Version: v.Version, PrevHash: *prev, Height: v.Height, Bits: uint32(bits),
		CurTime: v.CurTime, MinTime: v.MinTime, MaxTime: v.MaxTime, CoinbaseValue: v.Value, LongPollID: v.LP}
	tm.Target, _ = hex.DecodeString(v.Target)
	tm.WitnessCommitment, _ = hex.DecodeString(v.DWC)
	for _, x := range v.Txs {
		d, _ := hex.DecodeString(x.Data)
		id, _ := chainhash.NewHashFromStr(x.TxID)
		w, _ := chainhash.NewHashFromStr(x.Hash)
		tm.Transactions = append(tm.Transactions, TemplateTx{Data: d, TxID: *id, WTxID: *w, Fee: x.Fee})
	}
	return tm
}

func testPayout(t *testing.T) Payout {
	t.Helper()
	p, err := ParsePayout("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestJobFromBtcdTemplateBuildsAValidBlock(t *testing.T) {
	tm := btcdTemplate(t)
	p := testPayout(t)
	now := time.Unix(tm.CurTime, 0)
	j, err := NewJob(tm, JobOptions{ID: 1, Payout: p.Script, Tag: []byte("/soloist/"), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(j.Commitment, tm.WitnessCommitment) {
		t.Fatalf("commitment %x, node says %x", j.Commitment, tm.WitnessCommitment)
	}
	w := j.NewWork(now)
	w2 := j.NewWork(now)
	if w.Extranonce == w2.Extranonce || w.MerkleRoot == w2.MerkleRoot {
		t.Fatal("two works of one job share an extranonce")
	}
	// Grind a nonce at regtest difficulty and check the block as a node would.
	var hdr [80]byte
	var hash chainhash.Hash
	for n := uint32(0); ; n++ {
		hdr = w.HeaderFor(n, j.Version, w.NTime())
		hash = chainhash.DoubleHashH(hdr[:])
		if MeetsTarget(&hash, &j.Target) {
			break
		}
	}
	var blk wire.MsgBlock
	if err := blk.Deserialize(bytes.NewReader(w.Block(hdr))); err != nil {
		t.Fatal(err)
	}
	if blk.BlockHash() != hash {
		t.Fatal("block hash differs from the hashed header")
	}
	if len(blk.Transactions) != 4 {
		t.Fatalf("%d txs", len(blk.Transactions))
	}
	var ids []chainhash.Hash
	for _, tx := range blk.Transactions {
		ids = append(ids, tx.TxHash())
	}
	if MerkleRoot(ids) != blk.Header.MerkleRoot {
		t.Fatal("merkle root mismatch")
	}
	cb := blk.Transactions[0]
	if cb.TxOut[0].Value != tm.CoinbaseValue || !bytes.Equal(cb.TxOut[0].PkScript, p.Script) {
		t.Fatal("coinbase does not pay the whole value to the payout script")
	}
	if blk.Header.Timestamp.Unix() < tm.MinTime {
		t.Fatal("time below mintime")
	}
}

func TestJobRefusesBadTemplates(t *testing.T) {
	p := testPayout(t)
	for _, tc := range []struct {
		name string
		mod  func(*Template)
	}{
		{"unknown mandatory rule", func(t *Template) { t.Rules = []string{"csv", "!segwit", "!newrule"} }},
		{"commitment mismatch", func(t *Template) { t.WitnessCommitment = bytes.Repeat([]byte{1}, 32) }},
		{"txid mismatch", func(t *Template) { t.Transactions[0].TxID[0] ^= 1 }},
		{"target mismatch", func(t *Template) { t.Target[0] = 0x00 }},
		{"garbage transaction", func(t *Template) { t.Transactions[1].Data = []byte{1, 2, 3} }},
		{"no value", func(t *Template) { t.CoinbaseValue = 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tm := btcdTemplate(t)
			tc.mod(tm)
			_, err := NewJob(tm, JobOptions{Payout: p.Script, Now: time.Unix(tm.CurTime, 0)})
			if !errors.Is(err, ErrUnsupportedTemplate) {
				t.Fatalf("err = %v, want ErrUnsupportedTemplate", err)
			}
		})
	}
	// Known mandatory rules are fine.
	tm := btcdTemplate(t)
	tm.Rules = []string{"csv", "!segwit", "taproot"}
	if _, err := NewJob(tm, JobOptions{Payout: p.Script, Now: time.Unix(tm.CurTime, 0)}); err != nil {
		t.Fatal(err)
	}
}

func TestTimeStaysInBounds(t *testing.T) {
	tm := btcdTemplate(t)
	j, err := NewJob(tm, JobOptions{Payout: testPayout(t).Script, Now: time.Unix(tm.CurTime, 0)})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{-time.Hour, 0, time.Minute, 100 * time.Hour} {
		got := j.Time(time.Unix(tm.CurTime, 0).Add(d))
		if int64(got) < tm.MinTime || int64(got) > tm.MaxTime {
			t.Errorf("offset %v: time %d outside [%d, %d]", d, got, tm.MinTime, tm.MaxTime)
		}
	}
}

func TestParsePayout(t *testing.T) {
	main, reg := &chaincfg.MainNetParams, &chaincfg.RegressionNetParams
	for _, tc := range []struct {
		addr   string
		params *chaincfg.Params
		typ    string
		script string // hex prefix
	}{
		{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", main, "p2pkh", "76a914"},
		{"3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", main, "p2sh", "a914"},
		{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", main, "p2wpkh", "0014"},
		{"bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", main, "p2wsh", "0020"},
		{"bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297", main, "p2tr", "5120"},
		{"BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", main, "p2wpkh", "0014"},
		{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", reg, "p2wpkh", "0014"},
	} {
		p, err := ParsePayout(tc.addr, tc.params)
		if err != nil {
			t.Errorf("%s: %v", tc.addr, err)
			continue
		}
		if p.Type != tc.typ || hex.EncodeToString(p.Script)[:len(tc.script)] != tc.script {
			t.Errorf("%s: %s %x", tc.addr, p.Type, p.Script)
		}
	}
	for _, tc := range []struct {
		addr   string
		params *chaincfg.Params
	}{
		{"bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", reg}, // mainnet address on regtest
		{"bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", main},
		{"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", reg},
		{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", main}, // v1, 40 bytes
		{"bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y", main},                                 // v1, 20 bytes (btcutil turns it into v0)
		{"not an address", main},
		{"", main},
	} {
		if _, err := ParsePayout(tc.addr, tc.params); err == nil {
			t.Errorf("%q on %s: accepted", tc.addr, tc.params.Name)
		}
	}
}

func TestFixedTimeKeepsTheTemplatesTime(t *testing.T) {
	tm := btcdTemplate(t)
	j, err := NewJob(tm, JobOptions{Payout: testPayout(t).Script, Now: time.Unix(tm.CurTime, 0), FixedTime: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []time.Duration{0, time.Minute, 30 * time.Minute} {
		if got := j.Time(time.Unix(tm.CurTime, 0).Add(d)); int64(got) != tm.CurTime {
			t.Errorf("after %v: header time %d, want the template's %d", d, got, tm.CurTime)
		}
	}
	s := NewSolution(j.NewWork(time.Unix(tm.CurTime, 0)), 0, "t")
	s.NTime++
	if _, err := CheckSolution(&s); !errors.Is(err, errTime) {
		t.Fatalf("a rolled time was not refused: %v", err)
	}
}
