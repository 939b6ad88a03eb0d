package btcdtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"
)

// callTimeout bounds every Call.
const callTimeout = 30 * time.Second

// RPCError is a JSON-RPC error object returned by the node.
type RPCError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// Error implements error.
func (e *RPCError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

// Call sends one JSON-RPC 1.0 request over HTTP POST and returns the raw result. A JSON-RPC
// error comes back as *RPCError (wrapped). The call is bounded by a 30 s timeout. Call is
// safe for concurrent use.
func (n *Node) Call(method string, params ...any) (json.RawMessage, error) {
	return n.call(callTimeout, method, params...)
}

func (n *Node) call(timeout time.Duration, method string, params ...any) (json.RawMessage, error) {
	if params == nil {
		params = []any{}
	}
	body, err := json.Marshal(map[string]any{"jsonrpc": "1.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return nil, fmt.Errorf("btcdtest: %s: encode params: %w", method, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.URL(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("btcdtest: %s: %w", method, err)
	}
	req.SetBasicAuth(n.User, n.Pass)
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("btcdtest: %s: %w", method, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("btcdtest: %s: read reply: %w", method, err)
	}
	var reply struct {
		Result json.RawMessage `json:"result"`
		Error  *RPCError       `json:"error"`
	}
	if err := json.Unmarshal(raw, &reply); err != nil {
		return nil, fmt.Errorf("btcdtest: %s: http %d, undecodable reply %.200q", method, resp.StatusCode, raw)
	}
	if reply.Error != nil {
		return nil, fmt.Errorf("btcdtest: %s: %w", method, reply.Error)
	}
	return reply.Result, nil
}

// callInto calls method and decodes its result into out, failing the test on any error.
func (n *Node) callInto(t testing.TB, timeout time.Duration, out any, method string, params ...any) {
	t.Helper()
	raw, err := n.call(timeout, method, params...)
	if err != nil {
		t.Fatalf("%v", err)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("btcdtest: %s: decode result %.200s: %v", method, raw, err)
	}
}
