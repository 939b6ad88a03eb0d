package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// testClock is a clock that can be moved forward.
type testClock struct{ offset atomic.Int64 }

func (c *testClock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *testClock) advance(d time.Duration) { c.offset.Add(int64(d)) }

// startNode starts a node in a temporary directory and closes it at the end
// of the test.
func startNode(t testing.TB, cfg Config) *Node {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.TxInterval == 0 {
		cfg.TxInterval = -1
	}
	n, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return n
}

// rpcClient is a raw JSON-RPC 1.0 client using the node's cookie.
type rpcClient struct {
	url, user, pass string
	http            *http.Client
}

func newClient(t testing.TB, n *Node) *rpcClient {
	t.Helper()
	b, err := os.ReadFile(n.CookiePath())
	if err != nil {
		t.Fatalf("read cookie: %v", err)
	}
	user, pass, ok := strings.Cut(string(b), ":")
	if !ok {
		t.Fatalf("cookie %q has no colon", b)
	}
	return &rpcClient{url: n.URL(), user: user, pass: pass, http: &http.Client{Timeout: 2 * time.Minute}}
}

// callRaw posts body and returns the HTTP status and the reply body.
func (c *rpcClient) callRaw(t testing.TB, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth(c.user, c.pass)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read reply: %v", err)
	}
	return resp.StatusCode, out
}

// call runs method and returns its raw result or its error object.
func (c *rpcClient) call(t testing.TB, method string, params ...any) (json.RawMessage, *rpcError) {
	t.Helper()
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": "t", "method": method, "params": params})
	if err != nil {
		t.Fatal(err)
	}
	_, out := c.callRaw(t, string(body))
	var resp struct {
		Result json.RawMessage `json:"result"`
		Error  *rpcError       `json:"error"`
		ID     string          `json:"id"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("%s: bad reply %q: %v", method, out, err)
	}
	if resp.ID != "t" {
		t.Fatalf("%s: reply id %q, want t", method, resp.ID)
	}
	return resp.Result, resp.Error
}

// mustCall runs method and decodes its result into out (if non-nil).
func (c *rpcClient) mustCall(t testing.TB, out any, method string, params ...any) {
	t.Helper()
	res, rerr := c.call(t, method, params...)
	if rerr != nil {
		t.Fatalf("%s: %v", method, rerr)
	}
	if out != nil {
		if err := json.Unmarshal(res, out); err != nil {
			t.Fatalf("%s: decode %s: %v", method, res, err)
		}
	}
}

// gbt is the part of a getblocktemplate reply a miner reads.
type gbt struct {
	Version                  int32    `json:"version"`
	Rules                    []string `json:"rules"`
	PreviousBlockHash        string   `json:"previousblockhash"`
	Transactions             []gbtTx  `json:"transactions"`
	CoinbaseValue            int64    `json:"coinbasevalue"`
	LongPollID               string   `json:"longpollid"`
	Target                   string   `json:"target"`
	MinTime                  int64    `json:"mintime"`
	MaxTime                  int64    `json:"maxtime"`
	Mutable                  []string `json:"mutable"`
	CurTime                  int64    `json:"curtime"`
	Bits                     string   `json:"bits"`
	Height                   int64    `json:"height"`
	DefaultWitnessCommitment string   `json:"default_witness_commitment"`
}

func (c *rpcClient) template(t testing.TB) *gbt {
	t.Helper()
	var g gbt
	c.mustCall(t, &g, "getblocktemplate", map[string]any{"rules": []string{"segwit"}})
	return &g
}

// bip34Height encodes height as Bitcoin Core's minimal script push
// (OP_1..OP_16 for 1..16), written independently of txscript.
func bip34Height(h int64) []byte {
	if h >= 1 && h <= 16 {
		return []byte{byte(0x50 + h)}
	}
	var le []byte
	for v := h; v > 0; v >>= 8 {
		le = append(le, byte(v))
	}
	if len(le) > 0 && le[len(le)-1]&0x80 != 0 {
		le = append(le, 0)
	}
	return append([]byte{byte(len(le))}, le...)
}

// minedBlock is a block built from a template, as a miner builds it.
type minedBlock struct {
	msg      *wire.MsgBlock
	target   *big.Int
	coinbase *wire.MsgTx
}

// buildBlock builds a block from template g paying payScript: BIP34 height,
// extranonce, the template's witness commitment, merkle root computed with
// crypto/sha256. It does not grind the nonce.
func buildBlock(t testing.TB, g *gbt, payScript []byte, extraNonce uint32) *minedBlock {
	t.Helper()
	ss := bip34Height(g.Height)
	ss = append(ss, 4, byte(extraNonce), byte(extraNonce>>8), byte(extraNonce>>16), byte(extraNonce>>24))
	cb := wire.NewMsgTx(1)
	cb.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 0xffffffff}, SignatureScript: ss, Sequence: 0xffffffff})
	cb.AddTxOut(wire.NewTxOut(g.CoinbaseValue, payScript))
	if g.DefaultWitnessCommitment != "" {
		script, err := hex.DecodeString(g.DefaultWitnessCommitment)
		if err != nil {
			t.Fatalf("commitment hex: %v", err)
		}
		cb.AddTxOut(wire.NewTxOut(0, script))
		cb.TxIn[0].Witness = wire.TxWitness{make([]byte, 32)}
	}
	prev, err := chainhash.NewHashFromStr(g.PreviousBlockHash)
	if err != nil {
		t.Fatalf("previousblockhash: %v", err)
	}
	bits, err := parseBits(g.Bits)
	if err != nil {
		t.Fatal(err)
	}
	msg := &wire.MsgBlock{Header: wire.BlockHeader{
		Version: g.Version, PrevBlock: *prev, Timestamp: time.Unix(g.CurTime, 0), Bits: bits,
	}}
	msg.AddTransaction(cb)
	for _, tx := range g.Transactions {
		raw, err := hex.DecodeString(tx.Data)
		if err != nil {
			t.Fatalf("tx hex: %v", err)
		}
		var m wire.MsgTx
		if err := m.Deserialize(bytes.NewReader(raw)); err != nil {
			t.Fatalf("tx decode: %v", err)
		}
		msg.AddTransaction(&m)
	}
	mb := &minedBlock{msg: msg, coinbase: cb}
	mb.target, _ = new(big.Int).SetString(g.Target, 16)
	mb.fixMerkle()
	return mb
}

func parseBits(s string) (uint32, error) {
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4 {
		return 0, fmt.Errorf("bad bits %q", s)
	}
	return binary.BigEndian.Uint32(b), nil
}

func sha256d(b []byte) [32]byte {
	h := sha256.Sum256(b)
	return sha256.Sum256(h[:])
}

// fixMerkle recomputes the header's merkle root from the txids.
func (mb *minedBlock) fixMerkle() {
	var level [][32]byte
	for _, tx := range mb.msg.Transactions {
		var buf bytes.Buffer
		_ = tx.SerializeNoWitness(&buf)
		level = append(level, sha256d(buf.Bytes()))
	}
	for len(level) > 1 {
		if len(level)%2 == 1 {
			level = append(level, level[len(level)-1])
		}
		next := make([][32]byte, 0, len(level)/2)
		for i := 0; i < len(level); i += 2 {
			next = append(next, sha256d(append(level[i][:], level[i+1][:]...)))
		}
		level = next
	}
	mb.msg.Header.MerkleRoot = chainhash.Hash(level[0])
}

// headerHash returns the header's double SHA-256 as a big-endian number.
func headerHash(h *wire.BlockHeader) *big.Int {
	var buf bytes.Buffer
	_ = h.Serialize(&buf)
	d := sha256d(buf.Bytes())
	for i, j := 0, 31; i < j; i, j = i+1, j-1 {
		d[i], d[j] = d[j], d[i]
	}
	return new(big.Int).SetBytes(d[:])
}

// grind finds a nonce whose hash meets the target (meet=true) or misses it
// (meet=false).
func (mb *minedBlock) grind(t testing.TB, meet bool) {
	t.Helper()
	for nonce := uint32(0); nonce < 1<<24; nonce++ {
		mb.msg.Header.Nonce = nonce
		if (headerHash(&mb.msg.Header).Cmp(mb.target) <= 0) == meet {
			return
		}
	}
	t.Fatalf("no nonce found (meet=%v) for target %x", meet, mb.target)
}

func (mb *minedBlock) hex(t testing.TB) string {
	t.Helper()
	var buf bytes.Buffer
	if err := mb.msg.Serialize(&buf); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(buf.Bytes())
}

// submit sends the block and returns submitblock's result: "" for null.
func (c *rpcClient) submit(t testing.TB, mb *minedBlock) string {
	t.Helper()
	res, rerr := c.call(t, "submitblock", mb.hex(t))
	if rerr != nil {
		t.Fatalf("submitblock: %v", rerr)
	}
	if string(res) == "null" {
		return ""
	}
	var s string
	if err := json.Unmarshal(res, &s); err != nil {
		t.Fatalf("submitblock result %s: %v", res, err)
	}
	if s == "" {
		t.Fatal("submitblock returned an empty string")
	}
	return s
}

// minerScript is the payout script of a test miner's own address.
func minerScript(t testing.TB, n *Node) ([]byte, btcutil.Address) {
	t.Helper()
	var h [20]byte
	copy(h[:], "test miner payout...")
	addr, err := btcutil.NewAddressWitnessPubKeyHash(h[:], n.Params())
	if err != nil {
		t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	return s, addr
}

// mineOne fetches a template, mines it and checks that it is accepted.
func mineOne(t testing.TB, c *rpcClient, pay []byte) *gbt {
	t.Helper()
	g := c.template(t)
	mb := buildBlock(t, g, pay, uint32(g.Height))
	mb.grind(t, true)
	if r := c.submit(t, mb); r != "" {
		t.Fatalf("block at height %d rejected: %s", g.Height, r)
	}
	return g
}
