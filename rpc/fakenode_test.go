package rpc

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// fakeNode is an httptest.Server that answers JSON-RPC 1.0 like a node.
type fakeNode struct {
	srv        *httptest.Server
	user, pass string

	mu       sync.Mutex
	handlers map[string]func(params []json.RawMessage) (any, *rpcErr)
	calls    []fakeCall
}

type fakeCall struct {
	Method string
	Params []json.RawMessage
}

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func newFakeNode(t *testing.T) *fakeNode {
	t.Helper()
	f := &fakeNode{user: "alice", pass: "s3cret-Pa55", handlers: map[string]func([]json.RawMessage) (any, *rpcErr){}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// host is the server's host:port.
func (f *fakeNode) host() string { return f.srv.Listener.Addr().String() }

// client returns a Client with the fake's credentials.
func (f *fakeNode) client(t *testing.T, network string) *Client {
	t.Helper()
	c, err := New(Config{Host: "http://" + f.host(), User: f.user, Pass: f.pass, AuthSource: "--rpc-user/--rpc-pass", Network: network})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// handle registers a handler for method.
func (f *fakeNode) handle(method string, h func(params []json.RawMessage) (any, *rpcErr)) {
	f.mu.Lock()
	f.handlers[method] = h
	f.mu.Unlock()
}

// reply registers a fixed result for method.
func (f *fakeNode) reply(method string, result any) {
	f.handle(method, func([]json.RawMessage) (any, *rpcErr) { return result, nil })
}

// fail registers a fixed error for method.
func (f *fakeNode) fail(method string, code int, msg string) {
	f.handle(method, func([]json.RawMessage) (any, *rpcErr) { return nil, &rpcErr{code, msg} })
}

// callsTo returns the recorded calls of method.
func (f *fakeNode) callsTo(method string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeNode) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "", http.StatusMethodNotAllowed)
		return
	}
	f.mu.Lock()
	user, pass := f.user, f.pass
	f.mu.Unlock()
	if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
		w.WriteHeader(http.StatusUnauthorized) // Core: 401 with an empty body
		return
	}
	body, _ := io.ReadAll(r.Body)
	var req struct {
		ID     any               `json:"id"`
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{req.Method, req.Params})
	h := f.handlers[req.Method]
	f.mu.Unlock()
	var (
		res any
		e   *rpcErr
	)
	if h == nil {
		e = &rpcErr{-32601, "Method not found"}
	} else {
		res, e = h(req.Params)
	}
	w.Header().Set("Content-Type", "application/json")
	if e != nil {
		w.WriteHeader(http.StatusInternalServerError) // Core legacy mode
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"result": res, "error": e, "id": req.ID})
}

// fixture returns testdata/name as raw JSON.
func fixture(t testing.TB, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return json.RawMessage(b)
}

// wrapHold makes every request block until the client goes away: started is
// closed when the first request arrives, gone when its context ends.
func wrapHold(f *fakeNode, started, gone chan struct{}) http.Handler {
	var once, goneOnce sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Read the body: only then does net/http watch the connection
		// and end the request context when the client goes away.
		_, _ = io.Copy(io.Discard, r.Body)
		once.Do(func() { close(started) })
		<-r.Context().Done()
		goneOnce.Do(func() { close(gone) })
	})
}
