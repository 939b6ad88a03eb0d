package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/miner"
)

// TestLongPollDoesNotBlockSubmit: while the node holds a long poll open,
// submitblock, Info and an ordinary template call all answer; when the node
// releases the poll, the new template arrives with the id it was sent.
func TestLongPollDoesNotBlockSubmit(t *testing.T) {
	f := newFakeNode(t)
	tpl := fixture(t, "btcd_regtest_template.json")
	release := make(chan struct{})
	polling := make(chan string, 1)
	f.handle("getblocktemplate", func(params []json.RawMessage) (any, *rpcErr) {
		var req struct {
			LongPollID string `json:"longpollid"`
		}
		_ = json.Unmarshal(params[0], &req)
		if req.LongPollID != "" {
			polling <- req.LongPollID
			<-release
		}
		return tpl, nil
	})
	f.reply("submitblock", nil)
	f.reply("getblockchaininfo", fixture(t, "core28_getblockchaininfo.json"))
	f.reply("getnetworkinfo", fixture(t, "core28_getnetworkinfo.json"))
	f.reply("getmininginfo", fixture(t, "core28_getmininginfo.json"))
	c := f.client(t, "regtest")

	type result struct {
		tpl *miner.Template
		err error
	}
	done := make(chan result, 1)
	go func() {
		tpl, err := c.Template(context.Background(), "prev-1234")
		done <- result{tpl, err}
	}()
	if id := <-polling; id != "prev-1234" {
		t.Fatalf("long poll sent longpollid %q", id)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	res, err := c.SubmitBlock(ctx, []byte{1, 2, 3})
	if err != nil || res.Outcome != miner.SubmitAccepted {
		t.Fatalf("submit during long poll: %+v, %v", res, err)
	}
	if _, err := c.Info(ctx); err != nil {
		t.Fatalf("info during long poll: %v", err)
	}
	if _, err := c.Template(ctx, ""); err != nil {
		t.Fatalf("template during long poll: %v", err)
	}
	select {
	case r := <-done:
		t.Fatalf("long poll returned before the node answered: %+v", r)
	default:
	}

	close(release)
	r := <-done
	if r.err != nil || r.tpl.Height != 445 {
		t.Fatalf("long poll: %+v, %v", r.tpl, r.err)
	}
}

// TestLongPollCancel: cancelling the context ends a long poll the node never
// answers, and the node sees its connection close.
func TestLongPollCancel(t *testing.T) {
	f := newFakeNode(t)
	gone := make(chan struct{})
	started := make(chan struct{})
	f.srv.Config.Handler = wrapHold(f, started, gone)
	c := f.client(t, "mainnet")
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { _, err := c.Template(ctx, "x"); errc <- err }()
	<-started
	cancel()
	err := <-errc
	if !errors.Is(err, context.Canceled) || !errors.Is(err, miner.ErrUnreachable) {
		t.Errorf("err = %v, want the cancellation", err)
	}
	<-gone // the server's request context ended: the connection was closed
}

// TestLongPollEndsOnClose: Close abandons a long poll.
func TestLongPollEndsOnClose(t *testing.T) {
	f := newFakeNode(t)
	started := make(chan struct{})
	f.srv.Config.Handler = wrapHold(f, started, make(chan struct{}))
	c := f.client(t, "mainnet")
	errc := make(chan error, 1)
	go func() { _, err := c.Template(context.Background(), "x"); errc <- err }()
	<-started
	c.Close()
	if err := <-errc; err == nil {
		t.Error("long poll succeeded after Close")
	}
	if _, err := c.Info(context.Background()); err == nil {
		t.Error("Info succeeded after Close")
	}
}

// TestLongPollNodeGoesAway: the node drops the connection of a held long
// poll (it stopped): the poll returns ErrUnreachable at once.
func TestLongPollNodeGoesAway(t *testing.T) {
	f := newFakeNode(t)
	started := make(chan struct{})
	f.srv.Config.Handler = wrapHold(f, started, make(chan struct{}))
	c := f.client(t, "mainnet")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { _, err := c.Template(ctx, "x"); errc <- err }()
	<-started
	f.srv.CloseClientConnections()
	err := <-errc
	if !errors.Is(err, miner.ErrUnreachable) || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrUnreachable from the dropped connection", err)
	}
}

// TestCloseAbandonsOrdinaryCall: Close ends an ordinary call that the node
// holds.
func TestCloseAbandonsOrdinaryCall(t *testing.T) {
	f := newFakeNode(t)
	started := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { close(started) })
		// rpcclient cannot cancel its request: the node answers late.
		<-release
	})
	t.Cleanup(func() { close(release) }) // runs before the server's Close
	c := f.client(t, "mainnet")
	errc := make(chan error, 1)
	go func() { _, err := c.Info(context.Background()); errc <- err }()
	<-started
	c.Close()
	if err := <-errc; err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("err = %v, want the client-closed error", err)
	}
}

// TestLongPollBadTemplate: a malformed template from a long poll is
// ErrUnsupportedTemplate, like one from an ordinary call.
func TestLongPollBadTemplate(t *testing.T) {
	for _, body := range []string{`{"height":"x"}`, `{"transactions":[{"data":"zz"}]}`, `null`} {
		f := newFakeNode(t)
		f.reply("getblocktemplate", json.RawMessage(body))
		c := f.client(t, "regtest")
		for _, lp := range []string{"", "lp"} {
			if _, err := c.Template(context.Background(), lp); !errors.Is(err, miner.ErrUnsupportedTemplate) {
				t.Errorf("%s (long poll %q): err = %v, want ErrUnsupportedTemplate", body, lp, err)
			}
		}
	}
}
