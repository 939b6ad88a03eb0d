package demo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
)

func TestMinedBlocksAreAcceptedAndTheChainGrows(t *testing.T) {
	n := startNode(t, Config{TxInterval: 20 * time.Millisecond})
	c := newClient(t, n)
	pay, addr := minerScript(t, n)

	var info struct {
		Blocks        int64  `json:"blocks"`
		BestBlockHash string `json:"bestblockhash"`
	}
	c.mustCall(t, &info, "getblockchaininfo")
	if info.Blocks != DefaultPremine {
		t.Fatalf("height after start = %d, want the premine %d", info.Blocks, DefaultPremine)
	}

	// Let the trickle fill the mempool so the template carries fees.
	deadline := time.Now().Add(10 * time.Second)
	var g *gbt
	for {
		g = c.template(t)
		if len(g.Transactions) >= 3 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(g.Transactions) < 3 {
		t.Fatalf("template has %d transactions after 10 s of trickle, want at least 3", len(g.Transactions))
	}
	var fees int64
	segwitSpends := 0
	for _, tx := range g.Transactions {
		fees += tx.Fee
		if tx.Fee <= 0 {
			t.Errorf("tx %s pays fee %d", tx.TxID, tx.Fee)
		}
		if tx.Hash != tx.TxID {
			segwitSpends++
		}
	}
	if segwitSpends == 0 {
		t.Error("no segwit spend (wtxid != txid) in the template")
	}
	if want := blockchain.CalcBlockSubsidy(int32(g.Height), n.Params()) + fees; g.CoinbaseValue != want {
		t.Errorf("coinbasevalue = %d, want subsidy+fees = %d", g.CoinbaseValue, want)
	}

	start := info.Blocks
	const mined = 25
	for i := 0; i < mined; i++ {
		got := mineOne(t, c, pay)
		if got.Height != start+int64(i)+1 {
			t.Fatalf("template height %d, want %d", got.Height, start+int64(i)+1)
		}
	}
	c.mustCall(t, &info, "getblockchaininfo")
	if info.Blocks != start+mined {
		t.Fatalf("height = %d after mining %d blocks on %d", info.Blocks, mined, start)
	}

	// The miner's coinbase pays only the miner's address.
	var blk struct {
		Height int64 `json:"height"`
		Tx     []struct {
			Vout []struct {
				Value        float64 `json:"value"`
				ScriptPubKey struct {
					Address string `json:"address"`
					Type    string `json:"type"`
				} `json:"scriptPubKey"`
			} `json:"vout"`
		} `json:"tx"`
	}
	c.mustCall(t, &blk, "getblock", info.BestBlockHash, 2)
	if blk.Height != info.Blocks {
		t.Errorf("getblock height %d, want %d", blk.Height, info.Blocks)
	}
	for _, out := range blk.Tx[0].Vout {
		if out.Value > 0 && out.ScriptPubKey.Address != addr.EncodeAddress() {
			t.Errorf("coinbase pays %v BTC to %q, want only the miner %s", out.Value, out.ScriptPubKey.Address, addr)
		}
	}
}

func TestCookieAndDataLiveOnlyInDir(t *testing.T) {
	dir := t.TempDir()
	n, err := Start(t.Context(), Config{Dir: dir, TxInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := n.CookiePath(), filepath.Join(dir, ".cookie"); got != want {
		t.Errorf("cookie path %q, want %q", got, want)
	}
	b, err := os.ReadFile(n.CookiePath())
	if err != nil {
		t.Fatal(err)
	}
	user, pass, _ := strings.Cut(string(b), ":")
	if user != "__cookie__" || len(pass) != 64 {
		t.Errorf("cookie %q, want __cookie__:<64 hex>", b)
	}
	fi, err := os.Stat(n.CookiePath())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("cookie mode %v, want 0600", fi.Mode().Perm())
	}
	if !strings.HasPrefix(n.URL(), "http://127.0.0.1:") {
		t.Errorf("URL %q is not on loopback", n.URL())
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "chain" {
		t.Errorf("after Close the directory holds %v, want only the chain database", names)
	}
	if _, err := Start(t.Context(), Config{Dir: dir, TxInterval: -1}); err == nil {
		t.Error("Start on a used directory succeeded, want an error asking for a fresh one")
	}
}

func TestStartRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no dir", Config{}},
		{"missing dir", Config{Dir: filepath.Join(t.TempDir(), "nope")}},
		{"spacing too short", Config{Dir: t.TempDir(), TargetSpacing: time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := Start(t.Context(), tt.cfg)
			if err == nil {
				n.Close()
				t.Fatal("Start succeeded")
			}
			if msg := err.Error(); msg != strings.ToLower(msg[:1])+msg[1:] || strings.HasSuffix(msg, ".") {
				t.Errorf("error %q should be lower case without a final period", msg)
			}
		})
	}
}

func TestDemoAddressDecodesWithParams(t *testing.T) {
	n := startNode(t, Config{})
	s := n.DemoAddress().EncodeAddress()
	if !strings.HasPrefix(s, Bech32HRP+"1q") {
		t.Fatalf("demo address %q, want a P2WPKH %s1q… address", s, Bech32HRP)
	}
	a, err := btcutil.DecodeAddress(s, n.Params())
	if err != nil {
		t.Fatalf("DecodeAddress(%q): %v", s, err)
	}
	if !a.IsForNet(n.Params()) || a.EncodeAddress() != s {
		t.Errorf("decoded %v, not for the demo net", a)
	}
	// A second node in the same process shares the registration.
	n2 := startNode(t, Config{})
	if n2.DemoAddress().EncodeAddress() != s {
		t.Error("demo address differs between runs")
	}
	if n.Params().Name != ChainName || n.Params().Bech32HRPSegwit != Bech32HRP {
		t.Errorf("params name %q hrp %q", n.Params().Name, n.Params().Bech32HRPSegwit)
	}
}

func TestGetBlockTemplateShape(t *testing.T) {
	n := startNode(t, Config{})
	c := newClient(t, n)
	res, rerr := c.call(t, "getblocktemplate", map[string]any{"rules": []string{"segwit"}})
	if rerr != nil {
		t.Fatal(rerr)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(res, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"version", "rules", "vbavailable", "vbrequired", "previousblockhash",
		"transactions", "coinbaseaux", "coinbasevalue", "longpollid", "target", "mintime", "mutable",
		"noncerange", "sigoplimit", "sizelimit", "weightlimit", "curtime", "bits", "height",
		"default_witness_commitment", "maxtime", "capabilities"} {
		if _, ok := m[k]; !ok {
			t.Errorf("template lacks %q", k)
		}
	}
	g := c.template(t)
	if strings.Join(g.Rules, ",") != "csv,!segwit,taproot" {
		t.Errorf("rules %v", g.Rules)
	}
	if !strings.HasPrefix(g.DefaultWitnessCommitment, "6a24aa21a9ed") || len(g.DefaultWitnessCommitment) != 76 {
		t.Errorf("default_witness_commitment %q is not Core's full script", g.DefaultWitnessCommitment)
	}
	if len(g.LongPollID) <= 64 || g.LongPollID[:64] != g.PreviousBlockHash {
		t.Errorf("longpollid %q does not start with the tip %s", g.LongPollID, g.PreviousBlockHash)
	}
	if g.MinTime > g.CurTime || g.CurTime > g.MaxTime {
		t.Errorf("mintime %d, curtime %d, maxtime %d out of order", g.MinTime, g.CurTime, g.MaxTime)
	}
	if string(m["coinbaseaux"]) != "{}" || string(m["vbavailable"]) != "{}" {
		t.Errorf("coinbaseaux %s vbavailable %s, want {}", m["coinbaseaux"], m["vbavailable"])
	}
	if g.Version < 0x20000000 {
		t.Errorf("version %#x, want versionbits", g.Version)
	}
}
