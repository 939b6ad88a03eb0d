package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/soloist-miner/soloist/miner"
)

// templateCase is what a fixture must parse to.
type templateCase struct {
	file       string
	network    string
	wantRules  []string
	version    int32
	prev       string
	height     int64
	bits       uint32
	curTime    int64
	minTime    int64
	maxTime    int64
	value      int64
	longPoll   string
	mutable    []string
	commitment string // bare 32-byte hex, "" for none
	aux        string // coinbaseaux.flags hex
	challenge  string
	weight     int64
	txs        int
}

var templateCases = []templateCase{
	{
		file: "btcd_regtest_template.json", network: "regtest",
		wantRules: nil, version: 0x20400000,
		prev:   "46f1b64ad42ca35fce336d0dce20856821cf645d89e84c42dc59d8a7c2817985",
		height: 445, bits: 0x207fffff, curTime: 1796103692, minTime: 1796103692, maxTime: 1796110881,
		value:    1250040000,
		longPoll: "46f1b64ad42ca35fce336d0dce20856821cf645d89e84c42dc59d8a7c2817985-1796103681",
		mutable:  []string{"time", "transactions/add", "prevblock", "coinbase/append"},
		// btcd sends the bare commitment.
		commitment: "07578601350ddeb37537751992135230f7eae30ca95a05dbdfffb4fcef57f3d0",
		aux:        "0b2f503253482f627463642f", weight: 4000000, txs: 3,
	},
	{
		file: "core28_mainnet_template.json", network: "mainnet",
		wantRules: []string{"csv", "!segwit", "taproot"}, version: 0x20000000,
		prev:   "00000000000000000001a1f5e3c0b9b0e7a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1",
		height: 925001, bits: 0x1702f128, curTime: 1796103700, minTime: 1796100000,
		value:    312530000,
		longPoll: "00000000000000000001a1f5e3c0b9b0e7a5f4e3d2c1b0a9f8e7d6c5b4a3f2e11234",
		mutable:  []string{"time", "transactions", "prevblock"},
		// Core sends the whole 6a24aa21a9ed… script: same transactions, same commitment.
		commitment: "07578601350ddeb37537751992135230f7eae30ca95a05dbdfffb4fcef57f3d0",
		weight:     4000000, txs: 3,
	},
	{
		file: "core28_signet_template.json", network: "signet",
		wantRules: []string{"csv", "!segwit", "!signet", "taproot"}, version: 0x20000000,
		prev:   "000000b1d4a7e3f5c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9",
		height: 2, bits: 0x1e0377ae, curTime: 1796103800, minTime: 1796100001,
		value:    5000000000,
		longPoll: "000000b1d4a7e3f5c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d90",
		mutable:  []string{"time", "transactions", "prevblock"},
		// The empty-template commitment SHA256d(64 zero bytes).
		commitment: "e2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9",
		challenge:  "51", weight: 4000000,
	},
}

// TestTemplateFromFakeNode fetches each fixture through an httptest server
// posing as the node and checks every field of the result.
func TestTemplateFromFakeNode(t *testing.T) {
	for _, tc := range templateCases {
		t.Run(tc.file, func(t *testing.T) {
			f := newFakeNode(t)
			f.reply("getblocktemplate", fixture(t, tc.file))
			tpl, err := f.client(t, tc.network).Template(context.Background(), "")
			if err != nil {
				t.Fatal(err)
			}
			checkTemplate(t, tc, tpl)

			// The request declares segwit, and signet on signet.
			calls := f.callsTo("getblocktemplate")
			if len(calls) != 1 || len(calls[0].Params) != 1 {
				t.Fatalf("getblocktemplate calls = %+v", calls)
			}
			var req struct {
				Rules      []string `json:"rules"`
				LongPollID *string  `json:"longpollid"`
			}
			if err := json.Unmarshal(calls[0].Params[0], &req); err != nil {
				t.Fatal(err)
			}
			want := []string{"segwit"}
			if tc.network == "signet" {
				want = []string{"segwit", "signet"}
			}
			if !equalStrings(req.Rules, want) || req.LongPollID != nil {
				t.Errorf("request = %s, want rules %v and no longpollid", calls[0].Params[0], want)
			}
		})
	}
}

func checkTemplate(t *testing.T, tc templateCase, tpl *miner.Template) {
	t.Helper()
	if tpl.Version != tc.version {
		t.Errorf("version = %#x, want %#x", tpl.Version, tc.version)
	}
	if !equalStrings(tpl.Rules, tc.wantRules) {
		t.Errorf("rules = %q, want %q", tpl.Rules, tc.wantRules)
	}
	if tpl.PrevHash.String() != tc.prev {
		t.Errorf("prev = %s, want %s", tpl.PrevHash, tc.prev)
	}
	// Internal order: the display string's first byte is the last one.
	if want, _ := hex.DecodeString(tc.prev[:2]); tpl.PrevHash[31] != want[0] {
		t.Errorf("prev hash not in internal byte order: %x", tpl.PrevHash[:])
	}
	if tpl.Height != tc.height || tpl.Bits != tc.bits {
		t.Errorf("height, bits = %d, %#08x; want %d, %#08x", tpl.Height, tpl.Bits, tc.height, tc.bits)
	}
	if tpl.CurTime != tc.curTime || tpl.MinTime != tc.minTime || tpl.MaxTime != tc.maxTime {
		t.Errorf("times cur/min/max = %d/%d/%d, want %d/%d/%d", tpl.CurTime, tpl.MinTime, tpl.MaxTime, tc.curTime, tc.minTime, tc.maxTime)
	}
	if tpl.CoinbaseValue != tc.value {
		t.Errorf("coinbasevalue = %d, want %d", tpl.CoinbaseValue, tc.value)
	}
	if tpl.LongPollID != tc.longPoll {
		t.Errorf("longpollid = %q, want %q", tpl.LongPollID, tc.longPoll)
	}
	if !equalStrings(tpl.Mutable, tc.mutable) {
		t.Errorf("mutable = %q, want %q", tpl.Mutable, tc.mutable)
	}
	if got := hex.EncodeToString(tpl.WitnessCommitment); got != tc.commitment {
		t.Errorf("witness commitment = %s, want %s", got, tc.commitment)
	}
	if got := hex.EncodeToString(tpl.CoinbaseAux); got != tc.aux {
		t.Errorf("coinbaseaux = %s, want %s", got, tc.aux)
	}
	if got := hex.EncodeToString(tpl.SignetChallenge); got != tc.challenge {
		t.Errorf("signet challenge = %s, want %s", got, tc.challenge)
	}
	if tpl.SigOpLimit != 80000 || tpl.SizeLimit != 4000000 || tpl.WeightLimit != tc.weight {
		t.Errorf("limits sigops/size/weight = %d/%d/%d", tpl.SigOpLimit, tpl.SizeLimit, tpl.WeightLimit)
	}
	// The target field agrees with bits.
	want := blockchain.CompactToBig(tc.bits).FillBytes(make([]byte, 32))
	if !bytes.Equal(tpl.Target, want) {
		t.Errorf("target = %x, want %x", tpl.Target, want)
	}
	if len(tpl.Transactions) != tc.txs {
		t.Fatalf("%d transactions, want %d", len(tpl.Transactions), tc.txs)
	}
	var fees int64
	wtxids := []chainhash.Hash{{}} // the coinbase's wtxid counts as zero
	for i, tx := range tpl.Transactions {
		var msg wire.MsgTx
		if err := msg.Deserialize(bytes.NewReader(tx.Data)); err != nil {
			t.Fatalf("tx %d data: %v", i, err)
		}
		// The node's ids, parsed into internal order, equal the hashes of the data.
		if tx.TxID != msg.TxHash() {
			t.Errorf("tx %d txid = %s, data hashes to %s", i, tx.TxID, msg.TxHash())
		}
		if tx.WTxID != msg.WitnessHash() || tx.WTxID == tx.TxID {
			t.Errorf("tx %d wtxid = %s, data hashes to %s (txid %s)", i, tx.WTxID, msg.WitnessHash(), tx.TxID)
		}
		if tx.Fee <= 0 || tx.Weight <= 0 || tx.SigOps <= 0 {
			t.Errorf("tx %d fee/weight/sigops = %d/%d/%d", i, tx.Fee, tx.Weight, tx.SigOps)
		}
		fees += tx.Fee
		wtxids = append(wtxids, tx.WTxID)
	}
	if tpl.Fees() != fees {
		t.Errorf("Fees() = %d, want %d", tpl.Fees(), fees)
	}
	// The node's commitment is the one the transactions give.
	if got := commitmentOf(wtxids); got != tc.commitment {
		t.Errorf("recomputed commitment %s, node's %s", got, tc.commitment)
	}
}

// commitmentOf is SHA256d(witness merkle root ‖ 32 zero bytes), computed
// here from first principles.
func commitmentOf(leaves []chainhash.Hash) string {
	level := append([]chainhash.Hash(nil), leaves...)
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := make([]chainhash.Hash, 0, len(level)/2)
		for i := 0; i < len(level); i += 2 {
			next = append(next, chainhash.DoubleHashH(append(level[i][:], level[i+1][:]...)))
		}
		level = next
	}
	c := chainhash.DoubleHashH(append(level[0][:], make([]byte, 32)...))
	return hex.EncodeToString(c[:])
}

func TestTemplateDepends(t *testing.T) {
	tpl, err := ParseTemplate(fixture(t, "core28_mainnet_template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if d := tpl.Transactions[2].Depends; len(d) != 1 || d[0] != 1 {
		t.Errorf("depends of tx 3 = %v, want [1]", d)
	}
}

// TestParseTemplateFields covers field shapes one at a time, starting from
// the btcd capture.
func TestParseTemplateFields(t *testing.T) {
	cases := []struct {
		name    string
		edit    func(m map[string]any)
		check   func(t *testing.T, tpl *miner.Template)
		wantErr string // substring; the error must wrap ErrUnsupportedTemplate
	}{
		{name: "btcd bits without zero padding", edit: func(m map[string]any) { m["bits"] = "d00ffff" },
			check: func(t *testing.T, tpl *miner.Template) {
				if tpl.Bits != 0x0d00ffff {
					t.Errorf("bits = %#x", tpl.Bits)
				}
			}},
		{name: "no commitment (btcd without witness txs)", edit: func(m map[string]any) { delete(m, "default_witness_commitment") },
			check: func(t *testing.T, tpl *miner.Template) {
				if tpl.WitnessCommitment != nil {
					t.Errorf("commitment = %x, want nil", tpl.WitnessCommitment)
				}
			}},
		{name: "commitment script with extra bytes", edit: func(m map[string]any) {
			m["default_witness_commitment"] = "6a24aa21a9ed07578601350ddeb37537751992135230f7eae30ca95a05dbdfffb4fcef57f3d0ecc7daa2"
		}, check: func(t *testing.T, tpl *miner.Template) {
			if hex.EncodeToString(tpl.WitnessCommitment) != "07578601350ddeb37537751992135230f7eae30ca95a05dbdfffb4fcef57f3d0" {
				t.Errorf("commitment = %x", tpl.WitnessCommitment)
			}
		}},
		{name: "target shorter than 64 digits", edit: func(m map[string]any) { m["target"] = "7fffff" + strings.Repeat("0", 58) },
			check: func(t *testing.T, tpl *miner.Template) {
				if new(big.Int).SetBytes(tpl.Target).Text(16) != "7fffff"+strings.Repeat("0", 58) {
					t.Errorf("target = %x", tpl.Target)
				}
			}},
		{name: "version above int32", edit: func(m map[string]any) { m["version"] = 0xe0000000 },
			check: func(t *testing.T, tpl *miner.Template) {
				if uint32(tpl.Version) != 0xe0000000 {
					t.Errorf("version = %#x", uint32(tpl.Version))
				}
			}},
		{name: "txid missing is computed", edit: func(m map[string]any) {
			delete(m["transactions"].([]any)[0].(map[string]any), "txid")
		}, check: func(t *testing.T, tpl *miner.Template) {
			if tpl.Transactions[0].TxID.String() != "377a8695ac372786021ccd8212f1b883d4879a107b1f557a076cbc9fca455888" {
				t.Errorf("txid = %s", tpl.Transactions[0].TxID)
			}
		}},
		{name: "missing coinbasevalue", edit: func(m map[string]any) { delete(m, "coinbasevalue") }, wantErr: "coinbasevalue"},
		{name: "missing previousblockhash", edit: func(m map[string]any) { delete(m, "previousblockhash") }, wantErr: "previousblockhash"},
		{name: "short previousblockhash", edit: func(m map[string]any) { m["previousblockhash"] = "abcd" }, wantErr: "previousblockhash"},
		{name: "missing bits", edit: func(m map[string]any) { delete(m, "bits") }, wantErr: "bits"},
		{name: "bits not hex", edit: func(m map[string]any) { m["bits"] = "zz" }, wantErr: "bits"},
		{name: "bits too wide", edit: func(m map[string]any) { m["bits"] = "1207fffff" }, wantErr: "bits"},
		{name: "height zero", edit: func(m map[string]any) { m["height"] = 0 }, wantErr: "height"},
		{name: "bad commitment length", edit: func(m map[string]any) { m["default_witness_commitment"] = "6a24aa21" }, wantErr: "default_witness_commitment"},
		{name: "bad tx data", edit: func(m map[string]any) { m["transactions"].([]any)[1].(map[string]any)["data"] = "xyz" }, wantErr: "data is not hex"},
		{name: "tx data not a string", edit: func(m map[string]any) { m["transactions"].([]any)[1].(map[string]any)["data"] = 12 }, wantErr: "data is not a string"},
		{name: "empty tx data", edit: func(m map[string]any) { m["transactions"].([]any)[1].(map[string]any)["data"] = "" }, wantErr: "transactions[1]"},
		{name: "depends out of range", edit: func(m map[string]any) { m["transactions"].([]any)[0].(map[string]any)["depends"] = []int{4} }, wantErr: "transactions[0]"},
		{name: "wrong type", edit: func(m map[string]any) { m["height"] = "445" }, wantErr: "height"},
		{name: "negative coinbasevalue", edit: func(m map[string]any) { m["coinbasevalue"] = -1 }, wantErr: "coinbasevalue"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := json.Unmarshal(fixture(t, "btcd_regtest_template.json"), &m); err != nil {
				t.Fatal(err)
			}
			tc.edit(m)
			raw, _ := json.Marshal(m)
			tpl, err := ParseTemplate(raw)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, miner.ErrUnsupportedTemplate) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrUnsupportedTemplate naming %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, tpl)
		})
	}
}

func TestParseTemplateRejectsNonTemplates(t *testing.T) {
	for _, raw := range []string{``, `null`, `"duplicate"`, `[]`, `{`} {
		if _, err := ParseTemplate([]byte(raw)); err == nil {
			t.Errorf("ParseTemplate(%q) succeeded", raw)
		}
	}
}

func FuzzParseTemplate(f *testing.F) {
	for _, name := range []string{"btcd_regtest_template.json", "core28_mainnet_template.json", "core28_signet_template.json"} {
		f.Add([]byte(fixture(f, name)))
	}
	f.Add([]byte(`{"version":1,"previousblockhash":"00","bits":"1d00ffff","height":1,"curtime":0,"coinbasevalue":0}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tpl, err := ParseTemplate(raw)
		if err != nil {
			if tpl != nil {
				t.Fatal("template with an error")
			}
			return
		}
		if tpl.Height < 1 || tpl.CoinbaseValue < 0 {
			t.Fatalf("accepted height %d value %d", tpl.Height, tpl.CoinbaseValue)
		}
		if tpl.WitnessCommitment != nil && len(tpl.WitnessCommitment) != 32 {
			t.Fatalf("commitment of %d bytes", len(tpl.WitnessCommitment))
		}
		if tpl.Target != nil && len(tpl.Target) != 32 {
			t.Fatalf("target of %d bytes", len(tpl.Target))
		}
		for _, tx := range tpl.Transactions {
			if len(tx.Data) == 0 {
				t.Fatal("empty transaction accepted")
			}
			for _, d := range tx.Depends {
				if d < 1 || d > len(tpl.Transactions) {
					t.Fatalf("depends %d accepted", d)
				}
			}
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
