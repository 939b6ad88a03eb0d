package e2e

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"github.com/soloist-miner/soloist/demo"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/cpu"
	"github.com/soloist-miner/soloist/rpc"
)

// These tests talk to the demo node through soloist's own node client, the
// path `soloist --demo` uses.

func startWithClient(t *testing.T, cfg demo.Config) (*demo.Node, *rpc.Client) {
	t.Helper()
	cfg.Dir = t.TempDir()
	n, err := demo.Start(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	c, err := rpc.New(rpc.Config{Host: n.URL(), CookiePath: n.CookiePath(), Network: demo.ChainName})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return n, c
}

// blockFrom builds a block from a miner.Template the simple way (no
// extranonce rolling) paying pay, applies tweak, and grinds the nonce.
func blockFrom(t *testing.T, tm *miner.Template, pay []byte, tweak func(*wire.MsgBlock)) []byte {
	t.Helper()
	ss, err := txscript.NewScriptBuilder().AddInt64(tm.Height).AddData([]byte("rpc-test")).Script()
	if err != nil {
		t.Fatal(err)
	}
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex}, SignatureScript: ss,
		Sequence: wire.MaxTxInSequenceNum, Witness: wire.TxWitness{make([]byte, 32)}})
	cb.AddTxOut(wire.NewTxOut(tm.CoinbaseValue, pay))
	commit := append(append([]byte{}, blockchain.WitnessMagicBytes...), tm.WitnessCommitment...)
	cb.AddTxOut(wire.NewTxOut(0, commit))
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Version: tm.Version, PrevBlock: tm.PrevHash,
		Timestamp: time.Unix(tm.CurTime, 0), Bits: tm.Bits}}
	blk.AddTransaction(cb)
	txs := []*btcutil.Tx{btcutil.NewTx(cb)}
	for _, tx := range tm.Transactions {
		var m wire.MsgTx
		if err := m.Deserialize(bytes.NewReader(tx.Data)); err != nil {
			t.Fatal(err)
		}
		blk.AddTransaction(&m)
		txs = append(txs, btcutil.NewTx(&m))
	}
	blk.Header.MerkleRoot = blockchain.CalcMerkleRoot(txs, false)
	if tweak != nil {
		tweak(blk)
	}
	target := blockchain.CompactToBig(blk.Header.Bits)
	for {
		h := blk.Header.BlockHash()
		if blockchain.HashToBig(&h).Cmp(target) <= 0 {
			break
		}
		blk.Header.Nonce++
	}
	var buf bytes.Buffer
	if err := blk.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestThroughTheRPCClient(t *testing.T) {
	n, c := startWithClient(t, demo.Config{TxInterval: 20 * time.Millisecond, LongPollTimeout: time.Minute})
	ctx := t.Context()
	pay, err := txscript.PayToAddrScript(n.DemoAddress())
	if err != nil {
		t.Fatal(err)
	}

	info, err := c.Info(ctx)
	if err != nil {
		t.Fatalf("Info: %v", err)
	}
	if info.Chain != demo.ChainName || info.Blocks != demo.DefaultPremine || info.InitialDownload {
		t.Errorf("Info = chain %q blocks %d ibd %v", info.Chain, info.Blocks, info.InitialDownload)
	}

	var tm *miner.Template
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if tm, err = c.Template(ctx, ""); err != nil {
			t.Fatalf("Template: %v", err)
		}
		if len(tm.Transactions) > 0 {
			break
		}
	}
	if len(tm.Transactions) == 0 || tm.Fees() <= 0 || tm.MaxTime < tm.CurTime || len(tm.WitnessCommitment) != 32 {
		t.Fatalf("template: %d txs, fees %d, curtime %d maxtime %d, commitment %x",
			len(tm.Transactions), tm.Fees(), tm.CurTime, tm.MaxTime, tm.WitnessCommitment)
	}

	// A long poll through the client returns when the block lands.
	polled := make(chan *miner.Template, 1)
	go func() {
		lp, err := c.Template(ctx, tm.LongPollID)
		if err != nil {
			t.Errorf("long poll: %v", err)
		}
		polled <- lp
	}()

	bad := blockFrom(t, tm, pay, func(b *wire.MsgBlock) { b.Header.MerkleRoot[0] ^= 1 })
	res, err := c.SubmitBlock(ctx, bad)
	if err != nil || res.Outcome != miner.SubmitBadMerkle {
		t.Errorf("bad merkle: %+v, %v; want SubmitBadMerkle", res, err)
	}
	good := blockFrom(t, tm, pay, nil)
	res, err = c.SubmitBlock(ctx, good)
	if err != nil || res.Outcome != miner.SubmitAccepted {
		t.Fatalf("good block: %+v, %v; want SubmitAccepted", res, err)
	}
	var hdr wire.BlockHeader
	if err := hdr.Deserialize(bytes.NewReader(good[:80])); err != nil {
		t.Fatal(err)
	}
	hash := hdr.BlockHash()
	st, err := c.BlockStatus(ctx, hash)
	if err != nil {
		t.Fatalf("BlockStatus: %v", err)
	}
	if !st.Known || !st.InBestChain || st.Height != tm.Height {
		t.Errorf("status of the accepted block: %+v, want known on the best chain at %d", st, tm.Height)
	}

	select {
	case lp := <-polled:
		if lp == nil || lp.PrevHash != hash {
			t.Errorf("long poll returned %v, want a template on %s", lp, hash)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll through the client did not return on the new tip")
	}
	res, err = c.SubmitBlock(ctx, good)
	if err != nil || res.Outcome != miner.SubmitDuplicate {
		t.Errorf("resubmit: %+v, %v; want SubmitDuplicate", res, err)
	}
	if st, err := c.BlockStatus(ctx, chainhash.Hash{9}); err != nil || st.Known {
		t.Errorf("status of an unknown block: %+v, %v; want unknown", st, err)
	}
}

// The whole pipeline: demo node → rpc client → miner → CPU hasher → submit.
func TestMinerFindsBlocksOnTheDemoChain(t *testing.T) {
	n, c := startWithClient(t, demo.Config{TxInterval: 200 * time.Millisecond})
	payout, err := miner.ParsePayout(n.DemoAddress().EncodeAddress(), n.Params())
	if err != nil {
		t.Fatalf("ParsePayout(demo address): %v", err)
	}
	m, err := miner.New(miner.Config{
		Node:     c,
		Network:  demo.ChainName,
		NodeHost: n.URL(),
		Payout:   payout,
		Tag:      "soloist-demo-test",
		Hashers:  []miner.Hasher{cpu.New(cpu.Config{Threads: 1})},
	})
	if err != nil {
		t.Fatalf("miner.New: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	go func() {
		for range m.Events() {
		}
	}()
	const want = 15
	var height int64
	for snap := range m.Snapshots() {
		accepted := 0
		for _, b := range snap.Blocks {
			if b.Outcome == miner.SubmitAccepted {
				accepted++
			} else if !b.Pending {
				t.Errorf("block %d %s: outcome %v %q", b.Height, b.Hash, b.Outcome, b.Reason)
			}
		}
		if accepted >= want {
			info, err := c.Info(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			height = info.Blocks
			cancel()
			break
		}
	}
	for range m.Snapshots() {
	}
	<-done
	if height < demo.DefaultPremine+want {
		t.Fatalf("chain height %d, want at least %d after the miner found %d blocks", height, demo.DefaultPremine+want, want)
	}
}
