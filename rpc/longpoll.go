package rpc

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcjson"
)

// maxReply bounds a reply body: a 4 MWU template is at most ~8 MB of hex.
const maxReply = 64 << 20

// longPoll is a small JSON-RPC 1.0 transport over net/http whose requests
// end when their context does. It is used for long polls only.
type longPoll struct {
	cfg  Config
	log  *slog.Logger
	http *http.Client
	id   atomic.Uint64

	mu     sync.Mutex
	closed bool
	stop   context.CancelFunc
	base   context.Context // cancelled by close
}

func newLongPoll(cfg Config, log *slog.Logger) *longPoll {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		// A long poll can sit idle for minutes: probe the peer so that a
		// host that vanished is noticed in about 30 s.
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3},
	}
	base, stop := context.WithCancel(context.Background())
	return &longPoll{
		cfg: cfg,
		log: log,
		http: &http.Client{Transport: &http.Transport{
			DialContext:       dialer.DialContext,
			DisableKeepAlives: true, // one connection per long poll, like rpcclient
			Proxy:             nil,
		}},
		base: base,
		stop: stop,
	}
}

func (p *longPoll) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.stop()
}

// call sends one request and returns its raw result or a classified error.
// It returns when ctx ends or the client is closed.
func (p *longPoll) call(ctx context.Context, method string, params ...any) (json.RawMessage, error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, fmt.Errorf("%s: %w", method, errClosed)
	}
	raw, err := marshalParams(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	body, err := json.Marshal(&btcjson.Request{Jsonrpc: btcjson.RpcVersion1, ID: p.id.Add(1), Method: method, Params: raw})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.base, cancel)
	defer stop()

	req, err := http.NewRequestWithContext(rctx, http.MethodPost, "http://"+p.cfg.Host+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	user, pass, err := p.credentials()
	if err != nil {
		return nil, classify(method, p.cfg.AuthSource, err)
	}
	req.SetBasicAuth(user, pass)

	resp, err := p.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, abandoned(method, ctx, ctx.Err())
		}
		if p.base.Err() != nil {
			return nil, fmt.Errorf("%s: %w", method, errClosed)
		}
		return nil, classify(method, p.cfg.AuthSource, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		if ctx.Err() != nil {
			return nil, abandoned(method, ctx, ctx.Err())
		}
		return nil, classify(method, p.cfg.AuthSource, unwrapURLError(err))
	}
	var reply struct {
		Result json.RawMessage   `json:"result"`
		Error  *btcjson.RPCError `json:"error"`
	}
	if err := json.Unmarshal(data, &reply); err != nil {
		return nil, httpStatusError(method, p.cfg.AuthSource, resp.StatusCode, string(data))
	}
	if reply.Error != nil {
		return nil, newNodeError(method, int(reply.Error.Code), reply.Error.Message)
	}
	if resp.StatusCode != http.StatusOK && len(reply.Result) == 0 {
		return nil, httpStatusError(method, p.cfg.AuthSource, resp.StatusCode, string(data))
	}
	return reply.Result, nil
}

// credentials returns the configured user and password, or the cookie's.
func (p *longPoll) credentials() (string, string, error) {
	if p.cfg.Pass != "" {
		return p.cfg.User, p.cfg.Pass, nil
	}
	return readCookie(p.cfg.CookiePath)
}

// readCookie reads "user:password" from the first line of a cookie file.
func readCookie(path string) (string, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan()
	if err := sc.Err(); err != nil {
		return "", "", &os.PathError{Op: "read", Path: path, Err: err}
	}
	user, pass, ok := strings.Cut(sc.Text(), ":")
	if !ok {
		return "", "", errors.New("malformed cookie file")
	}
	return user, pass, nil
}

// unwrapURLError drops net/http's *url.Error wrapper, whose text repeats the
// URL, keeping the cause.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
