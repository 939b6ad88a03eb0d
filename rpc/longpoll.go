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

// call sends one request and decodes its result into out (a pointer) in the
// same pass as the reply envelope: a full template is megabytes of JSON. A
// null result leaves out untouched and returns errNullResult. It returns
// when ctx ends or the client is closed; a result that does not fit out
// gives an error wrapping *json.UnmarshalTypeError.
func (p *longPoll) call(ctx context.Context, out any, method string, params ...any) error {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return fmt.Errorf("%s: %w", method, errClosed)
	}
	raw, err := marshalParams(params)
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	body, err := json.Marshal(&btcjson.Request{Jsonrpc: btcjson.RpcVersion1, ID: p.id.Add(1), Method: method, Params: raw})
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(p.base, cancel)
	defer stop()

	req, err := http.NewRequestWithContext(rctx, http.MethodPost, "http://"+p.cfg.Host+"/", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s: %w", method, err)
	}
	req.Header.Set("Content-Type", "application/json")
	user, pass, err := p.credentials()
	if err != nil {
		return classify(method, p.cfg.AuthSource, err)
	}
	req.SetBasicAuth(user, pass)

	resp, err := p.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return abandoned(method, ctx, ctx.Err())
		}
		if p.base.Err() != nil {
			return fmt.Errorf("%s: %w", method, errClosed)
		}
		return classify(method, p.cfg.AuthSource, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		if ctx.Err() != nil {
			return abandoned(method, ctx, ctx.Err())
		}
		return classify(method, p.cfg.AuthSource, unwrapURLError(err))
	}
	// An interface holding a non-nil pointer is decoded into; JSON null
	// sets it to nil.
	reply := struct {
		Result any               `json:"result"`
		Error  *btcjson.RPCError `json:"error"`
	}{Result: out}
	if err := json.Unmarshal(data, &reply); err != nil {
		var syntaxErr *json.SyntaxError
		switch {
		case resp.StatusCode != http.StatusOK:
			return httpStatusError(method, p.cfg.AuthSource, resp.StatusCode, string(data))
		case errors.As(err, &syntaxErr):
			return fmt.Errorf("%s: undecodable reply (%d bytes): %v", method, len(data), err)
		}
		return fmt.Errorf("%s: decode reply: %w", method, err) // a field of out
	}
	if reply.Error != nil {
		return newNodeError(method, int(reply.Error.Code), reply.Error.Message)
	}
	if reply.Result == nil {
		if resp.StatusCode != http.StatusOK {
			return httpStatusError(method, p.cfg.AuthSource, resp.StatusCode, string(data))
		}
		return fmt.Errorf("%s: %w", method, errNullResult)
	}
	return nil
}

// errNullResult: the node's result was JSON null.
var errNullResult = errors.New("the node returned null")

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
