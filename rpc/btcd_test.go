package rpc

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/soloist-miner/soloist/internal/btcdtest"
	"github.com/soloist-miner/soloist/miner"
)

// startBtcd starts a real btcd (the binary from `go install
// github.com/btcsuite/btcd@v0.24.2`) and a Client for it.
func startBtcd(t *testing.T, net string) (*btcdtest.Node, *Client) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a btcd node; skipped with -short")
	}
	node := btcdtest.Start(t, btcdtest.Options{Net: net})
	c, err := New(Config{Host: node.Host, User: node.User, Pass: node.Pass, AuthSource: "--rpc-user/--rpc-pass", Network: net})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return node, c
}

func ctx5s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestBtcdRegtest drives one real btcd regtest node through every method.
func TestBtcdRegtest(t *testing.T) {
	node, c := startBtcd(t, "regtest")
	node.Generate(t, 3)
	tip := node.BestHash(t)

	t.Run("Info", func(t *testing.T) {
		info, err := c.Info(ctx5s(t))
		if err != nil {
			t.Fatal(err)
		}
		if info.Chain != "regtest" || info.Blocks != 3 || info.Headers != 3 || info.BestHash != tip ||
			info.InitialDownload || info.Peers != 0 || info.Agent != "btcd 0.24.2" || info.Difficulty <= 0 {
			t.Errorf("info = %+v", info)
		}
	})

	var tpl *miner.Template
	t.Run("Template", func(t *testing.T) {
		var err error
		tpl, err = c.Template(ctx5s(t), "")
		if err != nil {
			t.Fatal(err)
		}
		if tpl.PrevHash != tip || tpl.Height != 4 || tpl.Bits != 0x207fffff || tpl.CoinbaseValue != 50e8 ||
			tpl.LongPollID == "" || tpl.CurTime < tpl.MinTime || len(tpl.Target) != 32 {
			t.Errorf("template = %+v", tpl)
		}
	})
	if tpl == nil {
		t.FailNow()
	}

	t.Run("LongPollReturnsOnNewBlock", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		done := make(chan *miner.Template, 1)
		errc := make(chan error, 1)
		go func() {
			nt, err := c.Template(ctx, tpl.LongPollID)
			if err != nil {
				errc <- err
				return
			}
			done <- nt
		}()
		time.Sleep(200 * time.Millisecond) // let the poll reach the node
		// An ordinary call is not held up by the poll.
		if _, err := c.BlockStatus(ctx5s(t), tip); err != nil {
			t.Fatalf("BlockStatus during a long poll: %v", err)
		}
		newTip := node.Generate(t, 1)[0]
		select {
		case nt := <-done:
			if nt.PrevHash != newTip || nt.Height != 5 {
				t.Errorf("long poll gave prev %s height %d, want %s 5", nt.PrevHash, nt.Height, newTip)
			}
		case err := <-errc:
			t.Fatal(err)
		}
		tip = newTip
	})

	t.Run("BlockStatus", func(t *testing.T) {
		hashes := []chainhash.Hash{node.HashAt(t, 1), tip}
		want := []miner.BlockStatus{
			{Known: true, InBestChain: true, Height: 1, Confirmations: 4},
			{Known: true, InBestChain: true, Height: 4, Confirmations: 1},
		}
		for i, h := range hashes {
			got, err := c.BlockStatus(ctx5s(t), h)
			if err != nil || got != want[i] {
				t.Errorf("BlockStatus(%s) = %+v, %v; want %+v", h, got, err, want[i])
			}
		}
		got, err := c.BlockStatus(ctx5s(t), chainhash.Hash{1, 2, 3})
		if err != nil || got.Known {
			t.Errorf("unknown block: %+v, %v", got, err)
		}
	})

	t.Run("SubmitDuplicate", func(t *testing.T) {
		res := submit(t, c, node.Block(t, tip))
		if res.Outcome != miner.SubmitDuplicate {
			t.Errorf("resubmitting the tip: %+v", res)
		}
	})

	t.Run("SubmitBadMerkle", func(t *testing.T) {
		blk := node.Block(t, tip)
		blk.Header.MerkleRoot[0] ^= 1
		solve(t, &blk.Header, true)
		if res := submit(t, c, blk); res.Outcome != miner.SubmitBadMerkle {
			t.Errorf("bad merkle root: %+v", res)
		}
	})

	t.Run("SubmitHighHash", func(t *testing.T) {
		blk := node.Block(t, tip)
		blk.Header.MerkleRoot[0] ^= 1
		solve(t, &blk.Header, false)
		if res := submit(t, c, blk); res.Outcome != miner.SubmitHighHash {
			t.Errorf("hash above target: %+v", res)
		}
	})

	t.Run("SideChainBlock", func(t *testing.T) {
		// A second, valid block at the tip's height: btcd keeps it on a side
		// chain (first seen wins) and answers null.
		blk := node.Block(t, tip)
		cb := blk.Transactions[0]
		cb.TxIn[0].SignatureScript = append(cb.TxIn[0].SignatureScript, 0x01)
		blk.Header.MerkleRoot = blockchain.CalcMerkleRoot([]*btcutil.Tx{btcutil.NewTx(cb)}, false)
		solve(t, &blk.Header, true)
		if res := submit(t, c, blk); res.Outcome != miner.SubmitAccepted {
			t.Fatalf("side-chain block: %+v", res)
		}
		st, err := c.BlockStatus(ctx5s(t), blk.BlockHash())
		if err != nil || !st.Known || st.InBestChain {
			t.Errorf("side-chain BlockStatus = %+v, %v; want known, not on the best chain", st, err)
		}
		if node.BestHash(t) != tip {
			t.Fatal("the side-chain block became the tip")
		}
	})

	t.Run("StoppedThenRestarted", func(t *testing.T) {
		// A long poll in flight when the node stops ends with ErrUnreachable.
		pollErr := make(chan error, 1)
		tpl, err := c.Template(ctx5s(t), "")
		if err != nil {
			t.Fatal(err)
		}
		pctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		go func() { _, err := c.Template(pctx, tpl.LongPollID); pollErr <- err }()
		time.Sleep(200 * time.Millisecond)

		node.Stop(t)
		if err := <-pollErr; !errors.Is(err, miner.ErrUnreachable) || pctx.Err() != nil {
			t.Errorf("long poll across a stop: %v", err)
		}
		for name, call := range map[string]func(context.Context) error{
			"Info":        func(ctx context.Context) error { _, err := c.Info(ctx); return err },
			"Template":    func(ctx context.Context) error { _, err := c.Template(ctx, ""); return err },
			"SubmitBlock": func(ctx context.Context) error { _, err := c.SubmitBlock(ctx, []byte{0}); return err },
		} {
			ctx := ctx5s(t)
			if err := call(ctx); !errors.Is(err, miner.ErrUnreachable) || ctx.Err() != nil {
				t.Errorf("%s on a stopped node: %v (deadline hit: %v)", name, err, ctx.Err() != nil)
			}
		}

		node.Restart(t)
		info, err := c.Info(ctx5s(t))
		if err != nil || info.BestHash != tip {
			t.Fatalf("after restart: %+v, %v", info, err)
		}
		if _, err := c.Template(ctx5s(t), ""); err != nil {
			t.Errorf("template after restart: %v", err)
		}
	})
}

// TestBtcdSimnet: the chain name of a simnet node, and that a fresh node's
// template call works without peers.
func TestBtcdSimnet(t *testing.T) {
	node, c := startBtcd(t, "simnet")
	node.Generate(t, 1)
	info, err := c.Info(ctx5s(t))
	if err != nil || info.Chain != "simnet" || info.Blocks != 1 {
		t.Fatalf("info = %+v, %v", info, err)
	}
	tpl, err := c.Template(ctx5s(t), "")
	if err != nil || tpl.Height != 2 {
		t.Fatalf("template = %+v, %v", tpl, err)
	}
}

// solve sets the header's nonce so that its hash meets (or, with meet
// false, misses) the regtest target 0x207fffff.
func solve(t *testing.T, h *wire.BlockHeader, meet bool) {
	t.Helper()
	target := blockchain.CompactToBig(h.Bits)
	for nonce := uint32(0); nonce < 1000; nonce++ {
		h.Nonce = nonce
		hash := h.BlockHash()
		if (blockchain.HashToBig(&hash).Cmp(target) <= 0) == meet {
			return
		}
	}
	t.Fatal("no nonce found in 1000 tries")
}

func submit(t *testing.T, c *Client, blk *wire.MsgBlock) miner.SubmitResult {
	t.Helper()
	var buf bytes.Buffer
	if err := blk.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	res, err := c.SubmitBlock(ctx5s(t), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return res
}
