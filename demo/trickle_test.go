package demo

import (
	"bytes"
	"context"
	"encoding/hex"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// warnRecorder is a slog handler that keeps warning and error records.
type warnRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnRecorder) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }
func (w *warnRecorder) Handle(_ context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	w.msgs = append(w.msgs, msg)
	return nil
}
func (w *warnRecorder) WithAttrs([]slog.Attr) slog.Handler { return w }
func (w *warnRecorder) WithGroup(string) slog.Handler      { return w }

// witnessCommitment computes the BIP141 commitment script for a coinbase
// followed by txs, with crypto/sha256, independently of the node.
func witnessCommitment(txs []*wire.MsgTx) []byte {
	level := [][32]byte{{}} // the coinbase's wtxid counts as zero
	for _, tx := range txs {
		var buf bytes.Buffer
		_ = tx.Serialize(&buf)
		level = append(level, sha256d(buf.Bytes()))
	}
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		var next [][32]byte
		for i := 0; i < len(level); i += 2 {
			next = append(next, sha256d(append(level[i][:], level[i+1][:]...)))
		}
		level = next
	}
	c := sha256d(append(level[0][:], make([]byte, 32)...))
	return append([]byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed}, c[:]...)
}

func TestSyntheticTransactionsStayValidOverManyBlocks(t *testing.T) {
	rec := &warnRecorder{}
	n := startNode(t, Config{TxInterval: 10 * time.Millisecond, Logger: slog.New(rec)})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	mined := 0
	for i := 0; i < 40; i++ {
		time.Sleep(30 * time.Millisecond)
		g := c.template(t)
		mb := buildBlock(t, g, pay, uint32(i))
		if want := witnessCommitment(mb.msg.Transactions[1:]); hex.EncodeToString(want) != g.DefaultWitnessCommitment {
			t.Fatalf("height %d: node's commitment %s, computed %x", g.Height, g.DefaultWitnessCommitment, want)
		}
		if i%3 == 1 && len(g.Transactions) > 1 {
			// Mine only a prefix of the template, as a miner may: the
			// rest must stay valid for the next block.
			keep := len(g.Transactions) / 2
			mb.msg.Transactions = mb.msg.Transactions[:1+keep]
			mb.coinbase.TxOut[0].Value = g.CoinbaseValue
			for _, tx := range g.Transactions[keep:] {
				mb.coinbase.TxOut[0].Value -= tx.Fee
			}
			mb.coinbase.TxOut[1].PkScript = witnessCommitment(mb.msg.Transactions[1:])
			mb.fixMerkle()
		}
		mined += len(mb.msg.Transactions) - 1
		mb.grind(t, true)
		if r := c.submit(t, mb); r != "" {
			t.Fatalf("height %d (%d txs): %s", g.Height, len(mb.msg.Transactions)-1, r)
		}
	}
	if mined < 40 {
		t.Errorf("only %d synthetic transactions mined in 40 blocks", mined)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, m := range rec.msgs {
		t.Errorf("node warned: %s", m)
	}
	// Every mempool transaction still spends something that exists.
	var pool []string
	c.mustCall(t, &pool, "getrawmempool")
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, id := range pool {
		h, _ := chainhash.NewHashFromStr(id)
		if !n.pool.has(*h) {
			t.Errorf("getrawmempool lists %s, not in the pool", id)
		}
	}
	t.Logf("%d transactions mined, %d left in the mempool", mined, len(pool))
}
