package rpc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"regexp"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/rpcclient"
	"github.com/soloist-miner/soloist/miner"
)

// JSON-RPC error codes the client acts on (Bitcoin Core src/rpc/protocol.h;
// btcd uses the same numbers).
const (
	codeMisc             = -1
	codeInvalidAddress   = -5 // also "Block not found"
	codeInvalidParameter = -8
	codeNotConnected     = -9
	codeInitialDownload  = -10
	codeDeserialization  = -22
	codeVerify           = -25
	codeWarmup           = -28
	codeMethodNotFound   = -32601
	codeInternal         = -32603
)

// NodeError is an error the node answered with (a JSON-RPC error object).
// It wraps a miner sentinel when the code has one (-9, -10).
type NodeError struct {
	Method  string
	Code    int
	Message string

	kind error // miner sentinel or nil
}

// Error returns "method: node error CODE: message", with the sentinel's text
// first when there is one.
func (e *NodeError) Error() string {
	if e.kind != nil {
		return fmt.Sprintf("%s: %v: node error %d: %s", e.Method, e.kind, e.Code, e.Message)
	}
	return fmt.Sprintf("%s: node error %d: %s", e.Method, e.Code, e.Message)
}

// Unwrap returns the miner sentinel the code maps to, if any.
func (e *NodeError) Unwrap() error { return e.kind }

// newNodeError maps a JSON-RPC error object to a *NodeError.
func newNodeError(method string, code int, msg string) *NodeError {
	e := &NodeError{Method: method, Code: code, Message: msg}
	lower := strings.ToLower(msg)
	switch code {
	case codeInitialDownload:
		e.kind = miner.ErrSyncing
	case codeNotConnected:
		switch {
		case strings.Contains(lower, "shutting down"):
			e.kind = miner.ErrUnreachable
		case strings.Contains(lower, "expired"):
			// Knots past its expiry date: a plain, persistent error.
		default:
			e.kind = miner.ErrNoPeers
		}
	case codeWarmup:
		// The node is starting; it cannot answer yet. Waiting is right.
		e.kind = miner.ErrUnreachable
	}
	return e
}

// isCode reports whether err is a *NodeError with the given code.
func isCode(err error, code int) bool {
	var ne *NodeError
	return errors.As(err, &ne) && ne.Code == code
}

// rpcclient reports a non-JSON HTTP reply as `status code: N, response: "…"`.
var statusRE = regexp.MustCompile(`^status code: (\d+), response: (.*)$`)

// classify turns an error from rpcclient (or the long-poll transport) into
// one that wraps the right miner sentinel. authSource names the credentials
// tried; nothing in the result ever holds a credential.
func classify(method, authSource string, err error) error {
	if err == nil {
		return nil
	}
	var rpcErr *btcjson.RPCError
	if errors.As(err, &rpcErr) {
		return newNodeError(method, int(rpcErr.Code), rpcErr.Message)
	}
	var ne *NodeError
	if errors.As(err, &ne) {
		return err
	}
	if errors.Is(err, miner.ErrUnreachable) || errors.Is(err, miner.ErrAuth) {
		return err // already classified (probe, timeout, cookie)
	}
	if errors.Is(err, rpcclient.ErrClientShutdown) {
		return fmt.Errorf("%s: rpc client closed", method)
	}
	// Cookie file problems come straight from os.Stat / os.Open.
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return cookieError(method, pe)
	}
	if strings.HasPrefix(err.Error(), "malformed cookie file") {
		return fmt.Errorf("%s: %w: %s is malformed (expected user:password on its first line)", method, miner.ErrAuth, authSource)
	}
	msg := err.Error()
	if m := statusRE.FindStringSubmatch(msg); m != nil {
		code, _ := strconv.Atoi(m[1])
		return httpStatusError(method, authSource, code, m[2])
	}
	if strings.HasPrefix(msg, "invalid http POST response") {
		// rpcclient gave up after its retries; the dial error is at the end.
		last := msg
		if i := strings.Index(msg, "last error="); i >= 0 {
			last = msg[i+len("last error="):]
		}
		return fmt.Errorf("%s: %w: %s", method, miner.ErrUnreachable, last)
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %w: %w", method, miner.ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w", method, err)
}

// httpStatusError maps a non-JSON HTTP reply.
func httpStatusError(method, authSource string, code int, body string) error {
	switch code {
	case 401:
		return fmt.Errorf("%s: %w (HTTP 401): tried %s; check the node's rpcuser/rpcpassword or cookie, or pass --rpc-user/--rpc-pass or --rpc-cookie",
			method, miner.ErrAuth, authSource)
	case 403:
		return fmt.Errorf("%s: %w (HTTP 403): tried %s; the node refuses RPC from this address (see its rpcallowip) or these credentials",
			method, miner.ErrAuth, authSource)
	case 503:
		return fmt.Errorf("%s: node busy (HTTP 503, its RPC work queue is full): %s", method, short(body))
	default:
		return fmt.Errorf("%s: unexpected HTTP %d from node: %s", method, code, short(body))
	}
}

// cookieError explains a cookie file that cannot be read. A missing file
// usually means the node is not running (Core deletes it at shutdown), so it
// wraps ErrUnreachable; an unreadable one needs the user and wraps ErrAuth.
func cookieError(method string, pe *fs.PathError) error {
	if errors.Is(pe, fs.ErrNotExist) {
		return fmt.Errorf("%s: %w: cookie file %s does not exist (is the node running, with this data directory and network? or use --rpc-cookie / --rpc-user and --rpc-pass)",
			method, miner.ErrUnreachable, pe.Path)
	}
	return fmt.Errorf("%s: %w: cannot read cookie file %s: %v (run as the node's user, or use --rpc-user and --rpc-pass)",
		method, miner.ErrAuth, pe.Path, pe.Err)
}

// abandoned is the error of a call given up at ctx's end or the call timeout.
func abandoned(method string, parent context.Context, callErr error) error {
	if err := parent.Err(); err != nil {
		return fmt.Errorf("%s: %w: gave up waiting for the node (%w)", method, miner.ErrUnreachable, err)
	}
	return fmt.Errorf("%s: %w: no answer in time (%w)", method, miner.ErrUnreachable, callErr)
}

// short trims a node's body for an error message.
func short(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
