package rpc

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/miner"
)

func isKind(err, kind error) bool { return err != nil && errors.Is(err, kind) }

// TestAuthFailureNamesSourceNotSecret: a 401 is ErrAuth, says which
// credentials were tried and never contains the password.
func TestAuthFailureNamesSourceNotSecret(t *testing.T) {
	f := newFakeNode(t)
	const secret = "hunter2-very-secret"
	cases := []struct {
		name string
		cfg  Config
	}{
		{"user and password", Config{User: "alice", Pass: secret, AuthSource: "--rpc-user/--rpc-pass"}},
		{"cookie", Config{CookiePath: writeCookie(t, "__cookie__:"+secret), AuthSource: "cookie file /root/.bitcoin/.cookie"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Host = f.host()
			c, err := New(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			for name, call := range map[string]func() error{
				"Info":        func() error { _, err := c.Info(ctx); return err },
				"Template":    func() error { _, err := c.Template(ctx, ""); return err },
				"long poll":   func() error { _, err := c.Template(ctx, "abc"); return err },
				"SubmitBlock": func() error { _, err := c.SubmitBlock(ctx, []byte{1}); return err },
			} {
				err := call()
				if !isKind(err, miner.ErrAuth) {
					t.Fatalf("%s: err = %v, want ErrAuth", name, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.cfg.AuthSource) {
					t.Errorf("%s: %q does not name %q", name, msg, tc.cfg.AuthSource)
				}
				if strings.Contains(msg, secret) || strings.Contains(msg, "__cookie__") {
					t.Errorf("%s: %q leaks a credential", name, msg)
				}
			}
		})
	}
}

// TestCookieReadEachRestart: the long poll and the ordinary client both
// follow a cookie the node rewrote.
func TestCookieRewrittenAfterRestart(t *testing.T) {
	f := newFakeNode(t)
	f.reply("getblocktemplate", fixture(t, "btcd_regtest_template.json"))
	path := writeCookie(t, "__cookie__:old")
	c, err := New(Config{Host: f.host(), CookiePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, err := c.Template(ctx, ""); !isKind(err, miner.ErrAuth) {
		t.Fatalf("stale cookie: err = %v, want ErrAuth", err)
	}
	f.mu.Lock()
	f.user, f.pass = "__cookie__", "new"
	f.mu.Unlock()
	if err := os.WriteFile(path, []byte("__cookie__:new\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Template(ctx, ""); err != nil {
		t.Errorf("after the cookie changed: %v", err)
	}
	if _, err := c.Template(ctx, "x"); err != nil {
		t.Errorf("long poll after the cookie changed: %v", err)
	}
}

func TestMissingCookieIsUnreachable(t *testing.T) {
	f := newFakeNode(t)
	missing := filepath.Join(t.TempDir(), ".cookie")
	c, err := New(Config{Host: f.host(), CookiePath: missing, AuthSource: "cookie file " + missing})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Info(context.Background())
	if !isKind(err, miner.ErrUnreachable) || !strings.Contains(err.Error(), missing) {
		t.Errorf("err = %v, want ErrUnreachable naming the cookie file", err)
	}
	_, err = c.Template(context.Background(), "lp")
	if !isKind(err, miner.ErrUnreachable) || !strings.Contains(err.Error(), missing) {
		t.Errorf("long poll: err = %v, want ErrUnreachable naming the cookie file", err)
	}
}

// TestClosedPortIsUnreachable: nothing listens; every call returns
// ErrUnreachable well before a 5 s deadline (rpcclient alone would retry
// for 22.5 s).
func TestClosedPortIsUnreachable(t *testing.T) {
	host := closedPort(t)
	c, err := New(Config{Host: host, User: "u", Pass: "p", Network: "regtest"})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for name, call := range map[string]func(context.Context) error{
		"Info":        func(ctx context.Context) error { _, err := c.Info(ctx); return err },
		"Template":    func(ctx context.Context) error { _, err := c.Template(ctx, ""); return err },
		"long poll":   func(ctx context.Context) error { _, err := c.Template(ctx, "lp"); return err },
		"SubmitBlock": func(ctx context.Context) error { _, err := c.SubmitBlock(ctx, []byte{1}); return err },
		"BlockStatus": func(ctx context.Context) error { _, err := c.BlockStatus(ctx, [32]byte{1}); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := call(ctx)
		// The answer came from the failed dial, not from the deadline.
		deadlineHit := ctx.Err() != nil
		cancel()
		if !isKind(err, miner.ErrUnreachable) {
			t.Errorf("%s: err = %v, want ErrUnreachable", name, err)
		}
		if deadlineHit || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: waited for the 5 s deadline instead of noticing the closed port: %v", name, err)
		}
	}
}

// TestCallTimeout: a node that accepts but never answers gives
// ErrUnreachable at CallTimeout, and the next call is not stuck behind it.
func TestCallTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and hold connections
		for {
			nc, err := ln.Accept()
			if err != nil {
				return
			}
			defer nc.Close()
		}
	}()
	c, err := New(Config{Host: ln.Addr().String(), User: "u", Pass: "p", CallTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 2; i++ {
		_, err := c.Info(context.Background())
		if !isKind(err, miner.ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("call %d: err = %v, want ErrUnreachable after the call timeout", i, err)
		}
	}
	// A cancelled context: also ErrUnreachable, and says it was cancelled.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Template(ctx, "lp"); !isKind(err, miner.ErrUnreachable) || !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled long poll: err = %v", err)
	}
}

func TestNodeErrorKinds(t *testing.T) {
	f := newFakeNode(t)
	c := f.client(t, "mainnet")
	cases := []struct {
		code int
		msg  string
		kind error
	}{
		{-10, "Bitcoin Core is in initial sync and waiting for blocks...", miner.ErrSyncing},
		{-9, "Bitcoin Core is not connected!", miner.ErrNoPeers},
		{-9, "Shutting down", miner.ErrUnreachable},
		{-28, "Loading block index…", miner.ErrUnreachable},
		{-8, "getblocktemplate must be called with the segwit rule set (call with {\"rules\": [\"segwit\"]})", nil},
	}
	for _, tc := range cases {
		f.fail("getblocktemplate", tc.code, tc.msg)
		for _, lp := range []string{"", "lp"} {
			_, err := c.Template(context.Background(), lp)
			var ne *NodeError
			if !errors.As(err, &ne) || ne.Code != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("%d (long poll %q): err = %v, want a NodeError with the node's message", tc.code, lp, err)
			}
			for _, k := range []error{miner.ErrSyncing, miner.ErrNoPeers, miner.ErrUnreachable, miner.ErrAuth} {
				if errors.Is(err, k) != (k == tc.kind) {
					t.Errorf("%d (long poll %q): errors.Is(%v) = %v", tc.code, lp, k, !(k == tc.kind))
				}
			}
		}
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Host: "127.0.0.1:8332"},                  // no credentials
		{Host: "", User: "u", Pass: "p"},          // no host
		{Host: "127.0.0.1", User: "u", Pass: "p"}, // no port
		{Host: "https://127.0.0.1:8332", User: "u", Pass: "p"},
		{Host: "http://127.0.0.1:8332/wallet/x", User: "u", Pass: "p"},
	} {
		if c, err := New(cfg); err == nil {
			c.Close()
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	for in, want := range map[string]string{
		"http://127.0.0.1:18443/": "127.0.0.1:18443",
		"HTTP://[::1]:8332":       "[::1]:8332",
		":18443":                  "127.0.0.1:18443",
	} {
		got, err := normaliseHost(in)
		if err != nil || got != want {
			t.Errorf("normaliseHost(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

func writeCookie(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), ".cookie")
	if err := os.WriteFile(p, []byte(content+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// closedPort returns a loopback host:port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestForbidden(t *testing.T) {
	f := newFakeNode(t)
	f.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	})
	c := f.client(t, "mainnet")
	for _, lp := range []string{"", "lp"} {
		_, err := c.Template(context.Background(), lp)
		if !isKind(err, miner.ErrAuth) || !strings.Contains(err.Error(), "rpcallowip") {
			t.Errorf("long poll %q: err = %v, want ErrAuth mentioning rpcallowip", lp, err)
		}
	}
}
