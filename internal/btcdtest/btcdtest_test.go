package btcdtest

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
)

func TestMissingBinarySaysHowToInstall(t *testing.T) {
	dir := t.TempDir()
	// A non-executable file named btcd does not count.
	if err := os.WriteFile(filepath.Join(dir, "btcd"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := findIn([]string{dir, filepath.Join(dir, "nonexistent")})
	if err == nil || !strings.Contains(err.Error(), "go install github.com/btcsuite/btcd@v0.24.2") {
		t.Fatalf("findIn error = %v, want the install command", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is more than one line: %q", err)
	}
}

func TestHarnessAddressRoundTrips(t *testing.T) {
	for _, tc := range []struct{ net, prefix string }{{"regtest", "bcrt1q"}, {"simnet", "sb1q"}} {
		t.Run(tc.net, func(t *testing.T) {
			n := &Node{Params: paramsOf(t, tc.net)}
			addr := n.HarnessAddress().EncodeAddress()
			if !strings.HasPrefix(addr, tc.prefix) {
				t.Fatalf("harness address %s does not start with %s", addr, tc.prefix)
			}
			dec, err := btcutil.DecodeAddress(addr, n.Params)
			if err != nil || !dec.IsForNet(n.Params) {
				t.Fatalf("decode %s: %v", addr, err)
			}
			if n.HarnessAddress().EncodeAddress() != addr {
				t.Fatal("harness address is not deterministic")
			}
		})
	}
}

func TestStartGenerateAndReadBack(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"regtest", "simnet"} {
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := Start(t, Options{Net: net})
			if got := n.Height(t); got != 0 {
				t.Fatalf("fresh node at height %d, want 0", got)
			}
			if n.BestHash(t) != *n.Params.GenesisHash {
				t.Fatalf("fresh node's tip is not the %s genesis block", net)
			}
			hashes := n.Generate(t, 3)
			if len(hashes) != 3 {
				t.Fatalf("Generate(3) returned %d hashes", len(hashes))
			}
			if n.Height(t) != 3 || n.BestHash(t) != hashes[2] {
				t.Fatalf("after Generate(3): height %d tip %s, want 3 %s", n.Height(t), n.BestHash(t), hashes[2])
			}
			script := n.harnessScript()
			for i, h := range hashes {
				if !n.OnBestChain(t, h) {
					t.Errorf("block %d (%s) is not on the best chain", i+1, h)
				}
				blk := n.Block(t, h)
				if blk.BlockHash() != h {
					t.Fatalf("Block(%s) decoded to a block with hash %s", h, blk.BlockHash())
				}
				cb := blk.Transactions[0]
				if len(cb.TxOut) == 0 || !bytes.Equal(cb.TxOut[0].PkScript, script) || cb.TxOut[0].Value != 50e8 {
					t.Errorf("coinbase of block %d does not pay 50 BTC to the harness address", i+1)
				}
			}
			if n.OnBestChain(t, chainhash.Hash{1}) {
				t.Error("an unknown block hash is reported on the best chain")
			}
			var tmpl struct {
				Height int64 `json:"height"`
			}
			if err := json.Unmarshal(n.Template(t), &tmpl); err != nil || tmpl.Height != 4 {
				t.Errorf("template height %d (%v), want 4", tmpl.Height, err)
			}
			if !strings.HasPrefix(n.URL(), "http://127.0.0.1:") {
				t.Errorf("URL() = %q", n.URL())
			}
		})
	}
}

func TestStopRestartKeepsChain(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"regtest", "simnet"} {
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := Start(t, Options{Net: net})
			n.Generate(t, 5)
			tip := n.BestHash(t)
			host := n.Host

			n.Stop(t)
			if _, err := n.Call("getblockcount"); err == nil {
				t.Fatal("a stopped node still answers RPC")
			}
			n.Stop(t) // stopping twice is harmless

			n.Restart(t)
			if n.Host != host {
				t.Fatalf("restart moved RPC from %s to %s", host, n.Host)
			}
			if n.BestHash(t) != tip || n.Height(t) != 5 {
				t.Fatalf("after restart: height %d tip %s, want 5 %s", n.Height(t), n.BestHash(t), tip)
			}
			next := n.Generate(t, 1)[0]
			if hdr := n.Block(t, next).Header; hdr.PrevBlock != tip {
				t.Fatalf("block mined after restart builds on %s, want %s", hdr.PrevBlock, tip)
			}
			n.Restart(t) // a running node is stopped first
			if n.BestHash(t) != next {
				t.Fatalf("after the second restart the tip is %s, want %s", n.BestHash(t), next)
			}
		})
	}
}

func TestRestartEmptyForgetsChain(t *testing.T) {
	t.Parallel()
	n := Start(t, Options{Net: "regtest"})
	n.Generate(t, 3)
	n.RestartEmpty(t)
	if h := n.Height(t); h != 0 {
		t.Fatalf("after RestartEmpty the node is at height %d, want 0", h)
	}
	if len(n.Generate(t, 1)) != 1 {
		t.Fatal("cannot mine after RestartEmpty")
	}
}

func TestOldTipMeansInitialDownload(t *testing.T) {
	t.Parallel()
	for _, net := range []string{"regtest", "simnet"} {
		t.Run(net, func(t *testing.T) {
			t.Parallel()
			n := Start(t, Options{Net: net})
			n.SubmitBlockAt(t, n.Params.GenesisBlock.Header.Timestamp.Add(10*time.Minute))
			_, err := n.Call("getblocktemplate", map[string]any{"rules": []string{"segwit"}})
			var rpcErr *RPCError
			if !asRPCError(err, &rpcErr) || rpcErr.Code != -10 {
				t.Fatalf("template on a 2011 tip: err = %v, want rpc error -10 (initial download)", err)
			}
			fresh := n.SubmitBlockAt(t, time.Now())
			var tmpl struct {
				Height   int64  `json:"height"`
				Previous string `json:"previousblockhash"`
			}
			if err := json.Unmarshal(n.Template(t), &tmpl); err != nil || tmpl.Height != 3 || tmpl.Previous != fresh.String() {
				t.Fatalf("template after a fresh block: height %d on %s (%v), want 3 on %s", tmpl.Height, tmpl.Previous, err, fresh)
			}
			if blk := n.Block(t, fresh); !bytes.Equal(blk.Transactions[0].TxOut[0].PkScript, n.harnessScript()) {
				t.Error("SubmitBlockAt's coinbase does not pay the harness key")
			}
		})
	}
}

func TestCallReportsRPCErrors(t *testing.T) {
	t.Parallel()
	n := Start(t, Options{})
	_, err := n.Call("nosuchmethod")
	var rpcErr *RPCError
	if !asRPCError(err, &rpcErr) || rpcErr.Code != -32601 {
		t.Fatalf("unknown method: err = %v, want rpc error -32601", err)
	}
	bad := &Node{Host: n.Host, User: n.User, Pass: "wrong", http: n.http}
	if _, err := bad.Call("getblockcount"); err == nil {
		t.Fatal("wrong password accepted")
	} else if strings.Contains(err.Error(), n.Pass) {
		t.Fatal("error text contains the password")
	}
}

// TestSegwitTxsReachTemplate takes about 15 s on two cores: 432 regtest blocks.
func TestSegwitTxsReachTemplate(t *testing.T) {
	t.Parallel()
	n := Start(t, Options{Net: "regtest"})
	start := time.Now()
	n.ActivateSegwit(t)
	t.Logf("segwit active at height %d after %v", n.Height(t), time.Since(start).Round(time.Millisecond))
	if st := n.SegwitStatus(t); st != "active" {
		t.Fatalf("segwit %q after ActivateSegwit", st)
	}

	txids := n.SendSegwitTxs(t, 3)
	more := n.SendSegwitTxs(t, 2) // must not double-spend the first three
	txids = append(txids, more...)

	raw := n.WaitTemplateHasTxs(t, txids, 90*time.Second)
	var tmpl struct {
		Transactions []struct {
			TxID string `json:"txid"`
			Hash string `json:"hash"`
		} `json:"transactions"`
		Commitment string `json:"default_witness_commitment"`
	}
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Commitment) != 64 {
		t.Errorf("template with witness txs has default_witness_commitment %q, want 64 hex chars", tmpl.Commitment)
	}
	for _, tx := range tmpl.Transactions {
		if tx.TxID == tx.Hash {
			t.Errorf("template tx %s has wtxid == txid: no witness", tx.TxID)
		}
	}

	// btcd's own miner takes them too: the txs are valid and spend matured outputs.
	blk := n.Block(t, n.Generate(t, 1)[0])
	in := map[chainhash.Hash]bool{}
	for _, tx := range blk.Transactions[1:] {
		in[tx.TxHash()] = true
		if !tx.HasWitness() {
			t.Errorf("tx %s in the block has no witness", tx.TxHash())
		}
	}
	for _, id := range txids {
		if !in[id] {
			t.Errorf("tx %s is not in the next block", id)
		}
	}
	if got, want := n.Fees(t, blk), int64(len(txids))*SegwitTxFee; got != want {
		t.Errorf("Fees(block) = %d, want %d", got, want)
	}
	// The change outputs pay the harness key.
	cls := txscript.GetScriptClass(blk.Transactions[1].TxOut[0].PkScript)
	if cls != txscript.WitnessV0PubKeyHashTy {
		t.Errorf("spend pays a %v script, want P2WPKH", cls)
	}
}

// TestWaitTemplateOutlastsRegenerateDelay takes about 60 s: btcd keeps serving the template
// built before the txs arrived until gbtRegenerateSeconds have passed.
func TestWaitTemplateOutlastsRegenerateDelay(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for btcd's 60 s template regeneration delay")
	}
	t.Parallel()
	n := Start(t, Options{Net: "simnet"})
	n.ActivateSegwit(t)
	n.Template(t) // btcd now caches a template without the txs
	txids := n.SendSegwitTxs(t, 2)
	start := time.Now()
	n.WaitTemplateHasTxs(t, txids, 90*time.Second)
	t.Logf("txs reached the template after %v", time.Since(start).Round(time.Second))
}
