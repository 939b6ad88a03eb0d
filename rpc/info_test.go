package rpc

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/miner"
)

// TestInfoCore28: Core 28's warnings arrays (which break rpcclient's typed
// calls) decode, and "main" becomes "mainnet".
func TestInfoCore28(t *testing.T) {
	f := newFakeNode(t)
	f.reply("getblockchaininfo", fixture(t, "core28_getblockchaininfo.json"))
	f.reply("getnetworkinfo", fixture(t, "core28_getnetworkinfo.json"))
	f.reply("getmininginfo", fixture(t, "core28_getmininginfo.json"))
	info, err := f.client(t, "mainnet").Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Chain != "mainnet" || info.Blocks != 925000 || info.Headers != 925000 || info.InitialDownload {
		t.Errorf("chain %q blocks %d headers %d ibd %v", info.Chain, info.Blocks, info.Headers, info.InitialDownload)
	}
	if info.BestHash.String() != "00000000000000000001a1f5e3c0b9b0e7a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1" {
		t.Errorf("best hash %s", info.BestHash)
	}
	if info.Difficulty != 126411437451912.2 || info.NetworkHashPS != 9.05e20 {
		t.Errorf("difficulty %v hashps %v", info.Difficulty, info.NetworkHashPS)
	}
	if info.Peers != 10 || info.Agent != "/Satoshi:28.0.0/" {
		t.Errorf("peers %d agent %q", info.Peers, info.Agent)
	}
	// The pre-release warning appears in both calls but is listed once.
	if len(info.Warnings) != 2 {
		t.Errorf("warnings = %q", info.Warnings)
	}
}

// TestInfoBtcd: btcd has no getnetworkinfo (and no initialblockdownload); the
// peer count comes from getinfo.
func TestInfoBtcd(t *testing.T) {
	f := newFakeNode(t)
	f.reply("getblockchaininfo", map[string]any{
		"chain": "simnet", "blocks": 12, "headers": 12, "difficulty": 4.6565423739069247e-10,
		"bestblockhash": "683e86bd5c6d110d91b94b97137ba6bfe02dbbdb8e3dff722a669b5d69d77af6", "mediantime": 1, "pruned": false,
	})
	f.fail("getnetworkinfo", -1, "Command unimplemented")
	f.reply("getinfo", map[string]any{"version": 240200, "protocolversion": 70002, "blocks": 12, "connections": 3, "errors": ""})
	f.reply("getmininginfo", map[string]any{"blocks": 12, "networkhashps": 123.5, "errors": ""})
	info, err := f.client(t, "simnet").Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Chain != "simnet" || info.Peers != 3 || info.Agent != "btcd 0.24.2" || info.NetworkHashPS != 123.5 || info.InitialDownload {
		t.Errorf("info = %+v", info)
	}
	if len(info.Warnings) != 0 {
		t.Errorf("warnings = %q", info.Warnings)
	}
}

func TestNormaliseChain(t *testing.T) {
	for in, want := range map[string]string{
		"main": "mainnet", "test": "testnet3", "testnet4": "testnet4", "signet": "signet",
		"regtest": "regtest", "mainnet": "mainnet", "testnet3": "testnet3", "simnet": "simnet",
		"soloistdemo": "soloistdemo",
	} {
		if got := NormaliseChain(in); got != want {
			t.Errorf("NormaliseChain(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBlockStatusCore covers Core's answers: on the best chain, on a side
// chain (confirmations -1) and unknown (-5).
func TestBlockStatusCore(t *testing.T) {
	f := newFakeNode(t)
	c := f.client(t, "regtest")
	best := mustHash(t, "0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")
	side := mustHash(t, "46f1b64ad42ca35fce336d0dce20856821cf645d89e84c42dc59d8a7c2817985")
	f.handle("getblockheader", func(p []json.RawMessage) (any, *rpcErr) {
		var h string
		_ = json.Unmarshal(p[0], &h)
		switch h {
		case best.String():
			return map[string]any{"hash": h, "confirmations": 3, "height": 7}, nil
		case side.String():
			return map[string]any{"hash": h, "confirmations": -1, "height": 7}, nil
		}
		return nil, &rpcErr{-5, "Block not found"}
	})
	f.reply("getblockhash", best.String())
	cases := []struct {
		hash chainhash.Hash
		want miner.BlockStatus
	}{
		{best, miner.BlockStatus{Known: true, InBestChain: true, Height: 7, Confirmations: 3}},
		{side, miner.BlockStatus{Known: true, Height: 7, Confirmations: -1}},
		{chainhash.Hash{9}, miner.BlockStatus{}},
	}
	for _, tc := range cases {
		got, err := c.BlockStatus(context.Background(), tc.hash)
		if err != nil || got != tc.want {
			t.Errorf("BlockStatus(%s) = %+v, %v; want %+v", tc.hash, got, err, tc.want)
		}
	}
}

func mustHash(t *testing.T, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return *h
}
