package demo

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// longPoll starts a long-polling getblocktemplate and delivers its reply.
func longPoll(t *testing.T, c *rpcClient, id string) <-chan *gbt {
	t.Helper()
	ch := make(chan *gbt, 1)
	go func() {
		res, rerr := c.call(t, "getblocktemplate", map[string]any{"rules": []string{"segwit"}, "longpollid": id})
		if rerr != nil {
			t.Errorf("long poll: %v", rerr)
			ch <- nil
			return
		}
		var g gbt
		if err := json.Unmarshal(res, &g); err != nil {
			t.Errorf("long poll reply: %v", err)
		}
		ch <- &g
	}()
	return ch
}

func waitReply(t *testing.T, ch <-chan *gbt, within time.Duration) *gbt {
	t.Helper()
	select {
	case g := <-ch:
		if g == nil {
			t.FailNow()
		}
		return g
	case <-time.After(within):
		t.Fatalf("long poll did not return within %v", within)
		return nil
	}
}

func assertBlocking(t *testing.T, ch <-chan *gbt, d time.Duration) {
	t.Helper()
	select {
	case g := <-ch:
		t.Fatalf("long poll returned early (tip %v)", g)
	case <-time.After(d):
	}
}

func TestLongPollReturnsOnNewTip(t *testing.T) {
	n := startNode(t, Config{LongPollTimeout: time.Minute})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	g := c.template(t)
	ch := longPoll(t, newClient(t, n), g.LongPollID)
	assertBlocking(t, ch, 300*time.Millisecond)

	mb := buildBlock(t, g, pay, 1)
	mb.grind(t, true)
	if r := c.submit(t, mb); r != "" {
		t.Fatalf("submit: %s", r)
	}
	got := waitReply(t, ch, 5*time.Second)
	if got.PreviousBlockHash != mb.msg.BlockHash().String() || got.Height != g.Height+1 {
		t.Errorf("long poll returned prev %s height %d, want the new tip %s at %d",
			got.PreviousBlockHash, got.Height, mb.msg.BlockHash(), g.Height+1)
	}
}

func TestLongPollTimesOutWithAFreshTemplate(t *testing.T) {
	n := startNode(t, Config{LongPollTimeout: 300 * time.Millisecond})
	c := newClient(t, n)
	g := c.template(t)
	got := waitReply(t, longPoll(t, c, g.LongPollID), 5*time.Second)
	if got.PreviousBlockHash != g.PreviousBlockHash {
		t.Errorf("tip changed from %s to %s", g.PreviousBlockHash, got.PreviousBlockHash)
	}
}

func TestLongPollReturnsOnNewTransactionsAfterTheDelay(t *testing.T) {
	n := startNode(t, Config{TxInterval: 50 * time.Millisecond, LongPollTxDelay: 400 * time.Millisecond,
		LongPollTimeout: time.Minute})
	c := newClient(t, n)
	g := c.template(t)
	start := time.Now()
	got := waitReply(t, longPoll(t, c, g.LongPollID), 10*time.Second)
	if el := time.Since(start); el < 400*time.Millisecond {
		t.Errorf("returned after %v, before the %v delay", el, 400*time.Millisecond)
	}
	if got.LongPollID == g.LongPollID || len(got.Transactions) <= len(g.Transactions) {
		t.Errorf("longpollid %s → %s, txs %d → %d: want a newer template with more transactions",
			g.LongPollID, got.LongPollID, len(g.Transactions), len(got.Transactions))
	}
}

func TestLongPollWithUnknownIDReturnsAtOnce(t *testing.T) {
	n := startNode(t, Config{LongPollTimeout: time.Minute})
	c := newClient(t, n)
	for _, id := range []string{"", "junk", strings.Repeat("0", 64) + "1"} {
		waitReply(t, longPoll(t, c, id), 3*time.Second)
	}
}

func TestCloseReleasesLongPolls(t *testing.T) {
	n := startNode(t, Config{LongPollTimeout: time.Minute})
	c := newClient(t, n)
	g := c.template(t)
	done := make(chan *rpcError, 1)
	go func() {
		_, rerr := c.call(t, "getblocktemplate", map[string]any{"rules": []string{"segwit"}, "longpollid": g.LongPollID})
		done <- rerr
	}()
	time.Sleep(200 * time.Millisecond)
	closed := make(chan error, 1)
	go func() { closed <- n.Close() }()
	select {
	case rerr := <-done:
		if rerr == nil || rerr.Code != codeNotConnected {
			t.Errorf("long poll during Close got %v, want -9 Shutting down", rerr)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the long poll")
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
}

// The safety valve: once MinDiffReductionTime has passed since the tip, the
// template switches to the easiest bits (and wakes long polls); before that
// its maxtime says where its bits stop being valid.
func TestEasiestDifficultyAfterAStall(t *testing.T) {
	clock := &testClock{}
	n := startNode(t, Config{LongPollTimeout: time.Minute, now: clock.now})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	r := int64(n.timing.minDiffAfter / time.Second)
	powLimit := fmt.Sprintf("%08x", n.Params().PowLimitBits)

	g := c.template(t)
	if g.Height%BlocksPerRetarget == 0 || g.Bits == powLimit {
		t.Fatalf("height %d bits %s: the test needs a non-retarget height above the easiest difficulty", g.Height, g.Bits)
	}
	var parent struct {
		Time int64 `json:"time"`
	}
	c.mustCall(t, &parent, "getblockheader", g.PreviousBlockHash)
	if g.MaxTime != parent.Time+r {
		t.Errorf("maxtime %d, want parent time %d + %d", g.MaxTime, parent.Time, r)
	}

	// A block from this template stamped after maxtime has the wrong bits.
	late := buildBlock(t, g, pay, 5)
	late.msg.Header.Timestamp = time.Unix(g.MaxTime+1, 0)
	late.grind(t, true)
	if got := c.submit(t, late); got != "bad-diffbits" {
		t.Errorf("block after maxtime = %q, want bad-diffbits", got)
	}

	ch := longPoll(t, newClient(t, n), g.LongPollID)
	assertBlocking(t, ch, 200*time.Millisecond)
	clock.advance(time.Duration(r+2) * time.Second)
	n.mu.Lock()
	n.armStallTimersLocked() // the clock jumped; a real timer would fire now
	n.mu.Unlock()
	easy := waitReply(t, ch, 5*time.Second)
	if easy.Bits != powLimit || easy.PreviousBlockHash != g.PreviousBlockHash {
		t.Fatalf("after the stall: bits %s on %s, want %s on the same tip", easy.Bits, easy.PreviousBlockHash, powLimit)
	}
	if easy.MinTime <= parent.Time+r {
		t.Errorf("easy template mintime %d, want after %d", easy.MinTime, parent.Time+r)
	}
	mb := buildBlock(t, easy, pay, 6)
	mb.grind(t, true)
	if got := c.submit(t, mb); got != "" {
		t.Fatalf("easiest-difficulty block rejected: %s", got)
	}
	// The next block walks back to the difficulty before the stall.
	next := mineOne(t, c, pay)
	if next.Bits != g.Bits {
		t.Errorf("bits after the easy block %s, want %s again", next.Bits, g.Bits)
	}
}

// The rescue: a retarget block far overdue makes the node give up the tip,
// and the block replacing it may use the easiest bits.
func TestOverdueRetargetBlockRescue(t *testing.T) {
	clock := &testClock{}
	n := startNode(t, Config{LongPollTimeout: time.Minute, now: clock.now})
	c := newClient(t, n)
	pay, _ := minerScript(t, n)
	powLimit := fmt.Sprintf("%08x", n.Params().PowLimitBits)
	for {
		g := c.template(t)
		if g.Height%BlocksPerRetarget == 0 && g.Bits != powLimit {
			break
		}
		if g.Height > 5*BlocksPerRetarget {
			t.Fatal("no retarget height above the easiest difficulty reached")
		}
		mineOne(t, c, pay)
	}
	var stalled string
	c.mustCall(t, &stalled, "getbestblockhash")
	g := c.template(t)
	ch := longPoll(t, newClient(t, n), g.LongPollID)
	r := n.timing.minDiffAfter
	clock.advance(rescueFactor*r + 2*time.Second)
	n.mu.Lock()
	n.armStallTimersLocked() // the clock jumped; the real timers fire now
	n.mu.Unlock()
	got := waitReply(t, ch, 5*time.Second)
	if got.Height != g.Height-1 || got.PreviousBlockHash == stalled {
		t.Fatalf("after the rescue: template height %d on %s, want height %d below the given-up tip %s",
			got.Height, got.PreviousBlockHash, g.Height-1, stalled)
	}
	got = c.template(t) // the easiest bits may also have arrived by now
	if got.Bits != powLimit {
		t.Fatalf("replacement block bits %s, want the easiest %s", got.Bits, powLimit)
	}
	mb := buildBlock(t, got, pay, 9)
	mb.grind(t, true)
	if res := c.submit(t, mb); res != "" {
		t.Fatalf("replacement block rejected: %s", res)
	}
	next := c.template(t)
	if next.Height != g.Height || next.Bits != powLimit {
		t.Errorf("retarget after the rescue: height %d bits %s, want height %d from the easiest difficulty", next.Height, next.Bits, g.Height)
	}
	var hdr struct {
		Confirmations int64 `json:"confirmations"`
	}
	c.mustCall(t, &hdr, "getblockheader", stalled)
	if hdr.Confirmations != -1 {
		t.Errorf("given-up block has %d confirmations, want -1 (not on the main chain)", hdr.Confirmations)
	}
}
