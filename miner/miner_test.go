package miner_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/cpu"
)

// fakeNode is a minimal in-memory regtest node for unit tests: it serves
// templates on its tip, checks submitted blocks as a node would (proof of
// work, merkle root, parent, coinbase value and payout) and long polls.
// The real-node tests live in package e2e.
type fakeNode struct {
	mu      sync.Mutex
	tip     chainhash.Hash
	height  int64
	blocks  map[chainhash.Hash]*wire.MsgBlock
	changed chan struct{}
	payout  []byte
	down    bool
	ibd     bool
	lpDelay time.Duration // a long-poll answer is built, then delivered this late
	peers   int
	chain   string
	reasons []string
}

func newFakeNode(payout []byte) *fakeNode {
	return &fakeNode{tip: *chaincfg.RegressionNetParams.GenesisHash,
		blocks: map[chainhash.Hash]*wire.MsgBlock{}, changed: make(chan struct{}), payout: payout, chain: "regtest"}
}

func (n *fakeNode) setDown(d bool) {
	n.mu.Lock()
	n.down = d
	n.mu.Unlock()
}

func (n *fakeNode) Info(ctx context.Context) (miner.NodeInfo, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.down {
		return miner.NodeInfo{}, miner.ErrUnreachable
	}
	return miner.NodeInfo{Chain: n.chain, Blocks: n.height, Headers: n.height + 100, BestHash: n.tip,
		Peers: n.peers, Difficulty: 4.6e-10, InitialDownload: n.ibd}, nil
}

func (n *fakeNode) Template(ctx context.Context, lp string) (*miner.Template, error) {
	n.mu.Lock()
	if n.down {
		n.mu.Unlock()
		return nil, miner.ErrUnreachable
	}
	if lp != "" && lp == n.tip.String() {
		ch := n.changed
		n.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Second):
		}
		n.mu.Lock()
	}
	now := time.Now().Unix()
	t := &miner.Template{
		Version: 0x20000000, PrevHash: n.tip, Height: n.height + 1, Bits: 0x207fffff,
		CurTime: now, MinTime: now - 600, CoinbaseValue: 50e8, LongPollID: n.tip.String(),
	}
	delay := n.lpDelay
	n.mu.Unlock()
	if lp != "" && delay > 0 {
		time.Sleep(delay) // meanwhile the tip may move on: t is then stale
	}
	return t, nil
}

func (n *fakeNode) SubmitBlock(ctx context.Context, raw []byte) (miner.SubmitResult, error) {
	var b wire.MsgBlock
	if err := b.Deserialize(bytes.NewReader(raw)); err != nil {
		return miner.SubmitResult{Outcome: miner.SubmitRejected, Reason: "decode"}, nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.down {
		return miner.SubmitResult{}, miner.ErrUnreachable
	}
	reject := func(o miner.SubmitOutcome, r string) (miner.SubmitResult, error) {
		n.reasons = append(n.reasons, r)
		return miner.SubmitResult{Outcome: o, Reason: r}, nil
	}
	h := b.BlockHash()
	if _, ok := n.blocks[h]; ok {
		return reject(miner.SubmitDuplicate, "duplicate")
	}
	if blockchain.HashToBig(&h).Cmp(blockchain.CompactToBig(b.Header.Bits)) > 0 {
		return reject(miner.SubmitHighHash, "high-hash")
	}
	var ids []chainhash.Hash
	for _, tx := range b.Transactions {
		ids = append(ids, tx.TxHash())
	}
	if miner.MerkleRoot(ids) != b.Header.MerkleRoot {
		return reject(miner.SubmitBadMerkle, "bad-txnmrklroot")
	}
	if b.Header.PrevBlock != n.tip {
		return reject(miner.SubmitStale, "prev-blk-not-found")
	}
	cb := b.Transactions[0]
	if len(cb.TxOut) < 1 || cb.TxOut[0].Value != 50e8 || !bytes.Equal(cb.TxOut[0].PkScript, n.payout) {
		return reject(miner.SubmitBadCoinbaseValue, "bad-cb-amount")
	}
	n.blocks[h] = &b
	n.tip = h
	n.height++
	close(n.changed)
	n.changed = make(chan struct{})
	return miner.SubmitResult{Outcome: miner.SubmitAccepted}, nil
}

func (n *fakeNode) BlockStatus(ctx context.Context, h chainhash.Hash) (miner.BlockStatus, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	_, ok := n.blocks[h]
	return miner.BlockStatus{Known: ok, InBestChain: ok}, nil
}

func (n *fakeNode) heightNow() int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.height
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func newTestMiner(t *testing.T, node *fakeNode, dir string) (*miner.Miner, context.CancelFunc, chan error) {
	t.Helper()
	p, err := miner.ParsePayout("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	node.payout = p.Script
	m, err := miner.New(miner.Config{
		Node: node, Network: "regtest", Payout: p, DataDir: dir,
		Hashers: []miner.Hasher{cpu.New(cpu.Config{Threads: 1})}, PollInterval: 100 * time.Millisecond,
		SnapshotInterval: 20 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	go func() {
		for range m.Events() {
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return m, cancel, done
}

func TestMinesBlocksThatTheNodeAccepts(t *testing.T) {
	dir := t.TempDir()
	node := newFakeNode(nil)
	m, cancel, done := newTestMiner(t, node, dir)
	waitFor(t, 20*time.Second, "5 blocks", func() bool { return node.heightNow() >= 5 })
	waitFor(t, 5*time.Second, "confirmations", func() bool {
		s := m.Snapshot()
		c := 0
		for _, b := range s.Blocks {
			if b.Confirmed && b.Outcome == miner.SubmitAccepted {
				c++
			}
		}
		return c >= 5
	})
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	done <- nil // for the cleanup
	if len(node.reasons) != 0 {
		t.Fatalf("node rejected blocks: %v", node.reasons)
	}
	// Every accepted block was journalled before submission and confirmed after.
	j, err := miner.OpenJournal(dir)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := j.Pending()
	if err != nil || len(pending) != 0 {
		t.Fatalf("pending after confirmation: %v %v", pending, err)
	}
	raw, _ := os.ReadFile(filepath.Join(dir, miner.JournalFile))
	if c := strings.Count(string(raw), `"state":"found"`); c < 5 {
		t.Fatalf("%d found lines in the journal", c)
	}
	if _, err := os.Stat(filepath.Join(dir, miner.BestFile)); err != nil {
		t.Fatal("all-time best share not persisted")
	}
}

func TestResumesWhenTheNodeComesBack(t *testing.T) {
	node := newFakeNode(nil)
	m, _, _ := newTestMiner(t, node, "")
	waitFor(t, 20*time.Second, "first block", func() bool { return node.heightNow() >= 1 })
	node.setDown(true)
	waitFor(t, 10*time.Second, "node down state", func() bool { return m.Snapshot().Node.State == miner.NodeDown })
	h := node.heightNow()
	node.setDown(false)
	waitFor(t, 40*time.Second, "a block after the node came back", func() bool { return node.heightNow() > h })
}

func TestWrongNetworkStops(t *testing.T) {
	node := newFakeNode(nil)
	node.chain = "mainnet"
	_, _, done := newTestMiner(t, node, "")
	select {
	case err := <-done:
		if !errors.Is(err, miner.ErrWrongNetwork) {
			t.Fatalf("err = %v", err)
		}
		done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("miner did not stop on a wrong network")
	}
}

func TestJournalledBlockIsResubmittedAtStart(t *testing.T) {
	dir := t.TempDir()
	node := newFakeNode(nil)
	// Mine one block with a throwaway miner against a node that is "down"
	// for submissions: build it by hand instead, from a job.
	p, _ := miner.ParsePayout("bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", &chaincfg.RegressionNetParams)
	node.payout = p.Script
	tm, _ := node.Template(context.Background(), "")
	j, err := miner.NewJob(tm, miner.JobOptions{Payout: p.Script, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	w := j.NewWork(time.Now())
	var hdr [80]byte
	for n := uint32(0); ; n++ {
		hdr = w.HeaderFor(n, j.Version, w.NTime())
		h := chainhash.DoubleHashH(hdr[:])
		if miner.MeetsTarget(&h, &j.Target) {
			break
		}
	}
	jr, _ := miner.OpenJournal(dir)
	h := chainhash.DoubleHashH(hdr[:])
	if err := jr.Append(miner.JournalEntry{Hash: h.String(), Height: 1, PrevHash: tm.PrevHash.String(), State: "found",
		Block: encodeHex(w.Block(hdr))}); err != nil {
		t.Fatal(err)
	}
	newTestMiner(t, node, dir)
	waitFor(t, 10*time.Second, "the journalled block on the node", func() bool {
		st, _ := node.BlockStatus(context.Background(), h)
		return st.InBestChain
	})
}

func encodeHex(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}

func TestWaitsWhileTheNodeSyncs(t *testing.T) {
	node := newFakeNode(nil)
	node.ibd = true
	m, _, _ := newTestMiner(t, node, "")
	waitFor(t, 10*time.Second, "syncing state", func() bool { return m.Snapshot().Node.State == miner.NodeSyncing })
	time.Sleep(200 * time.Millisecond)
	if s := m.Snapshot(); s.TotalHashes != 0 || node.heightNow() != 0 {
		t.Fatalf("mined while the node syncs: %d hashes, height %d", s.TotalHashes, node.heightNow())
	}
	node.mu.Lock()
	node.ibd = false
	node.mu.Unlock()
	waitFor(t, 40*time.Second, "a block once synced", func() bool { return node.heightNow() >= 1 })
}

func TestPauseStopsHashing(t *testing.T) {
	node := newFakeNode(nil)
	m, _, _ := newTestMiner(t, node, "")
	waitFor(t, 20*time.Second, "first block", func() bool { return node.heightNow() >= 1 })
	m.Pause()
	waitFor(t, 5*time.Second, "paused and idle", func() bool {
		s := m.Snapshot()
		return s.Paused && len(s.Devices) == 1 && s.Devices[0].State == miner.DeviceIdle
	})
	// A block found just before the pause is still delivered: let it land.
	waitFor(t, 5*time.Second, "blocks found before the pause delivered", func() bool {
		a := m.Snapshot()
		time.Sleep(50 * time.Millisecond)
		b := m.Snapshot()
		for _, blk := range b.Blocks {
			if blk.Pending {
				return false
			}
		}
		return a.BlocksFound == b.BlocksFound
	})
	h := node.heightNow()
	a := m.Snapshot().TotalHashes
	time.Sleep(300 * time.Millisecond)
	if b := m.Snapshot().TotalHashes; b != a || node.heightNow() != h {
		t.Fatalf("hashing while paused: %d → %d hashes", a, b)
	}
	m.Resume()
	waitFor(t, 20*time.Second, "a block after resume", func() bool { return node.heightNow() > h })
}

func TestLateLongPollAnswersDoNotGoBack(t *testing.T) {
	node := newFakeNode(nil)
	node.lpDelay = 30 * time.Millisecond
	newTestMiner(t, node, "")
	waitFor(t, 60*time.Second, "300 blocks", func() bool { return node.heightNow() >= 300 })
	node.mu.Lock()
	defer node.mu.Unlock()
	if len(node.reasons) != 0 {
		t.Fatalf("blocks on old parents submitted: %v", node.reasons)
	}
}
