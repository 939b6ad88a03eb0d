package demo

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"
)

// cookieUser is Bitcoin Core's cookie user name.
const cookieUser = "__cookie__"

// handler answers one JSON-RPC method with positional arguments.
type handler func(ctx context.Context, args []json.RawMessage) (any, *rpcError)

// method describes one served JSON-RPC method.
type method struct {
	params []string // names, for named-parameter calls
	fn     handler
}

// serve writes the cookie, listens on a random loopback port and starts the
// HTTP server goroutine.
func (n *Node) serve() error {
	var secret [32]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return fmt.Errorf("demo: cookie: %w", err)
	}
	pass := hex.EncodeToString(secret[:])
	n.cookiePath = filepath.Join(n.cfg.Dir, ".cookie")
	if err := os.WriteFile(n.cookiePath, []byte(cookieUser+":"+pass), 0o600); err != nil {
		return fmt.Errorf("demo: write cookie: %w", err)
	}
	n.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(cookieUser+":"+pass))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.Remove(n.cookiePath)
		return fmt.Errorf("demo: listen on loopback: %w", err)
	}
	n.ln = ln
	n.url = "http://" + ln.Addr().String()
	methods := n.methods()
	n.srv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.serveHTTP(w, r, methods) }),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.Background() },
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("demo: server stopped", "err", err)
		}
	}()
	return nil
}

// methods lists the served JSON-RPC methods.
func (n *Node) methods() map[string]method {
	return map[string]method{
		"getblocktemplate":   {[]string{"template_request"}, n.rpcGetBlockTemplate},
		"submitblock":        {[]string{"hexdata", "dummy"}, n.rpcSubmitBlock},
		"getmininginfo":      {nil, n.rpcGetMiningInfo},
		"getblockchaininfo":  {nil, n.rpcGetBlockchainInfo},
		"getbestblockhash":   {nil, n.rpcGetBestBlockHash},
		"getblockcount":      {nil, n.rpcGetBlockCount},
		"getblockhash":       {[]string{"height"}, n.rpcGetBlockHash},
		"getblockheader":     {[]string{"blockhash", "verbose"}, n.rpcGetBlockHeader},
		"getblock":           {[]string{"blockhash", "verbosity"}, n.rpcGetBlock},
		"getnetworkinfo":     {nil, n.rpcGetNetworkInfo},
		"getconnectioncount": {nil, n.rpcGetConnectionCount},
		"getdifficulty":      {nil, n.rpcGetDifficulty},
		"getrawmempool":      {[]string{"verbose"}, n.rpcGetRawMempool},
		"uptime":             {nil, n.rpcUptime},
		"ping":               {nil, func(context.Context, []json.RawMessage) (any, *rpcError) { return nil, nil }},
	}
}

// authorized checks the basic-auth header in constant time.
func (n *Node) authorized(r *http.Request) bool {
	got := r.Header.Get("Authorization")
	return subtle.ConstantTimeCompare([]byte(got), []byte(n.auth)) == 1
}

func (n *Node) serveHTTP(w http.ResponseWriter, r *http.Request, methods map[string]method) {
	if !n.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="jsonrpc"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "JSONRPC server handles only POST requests", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	if err != nil {
		return
	}
	if len(body) > maxRequestBytes {
		writeJSON(w, http.StatusRequestEntityTooLarge, rpcResponse{Result: json.RawMessage("null"),
			Error: &rpcError{Code: codeInvalidReq, Message: "Request too large"}, ID: json.RawMessage("null")})
		return
	}
	reqs, batch, perr := parseBody(body)
	if perr != nil {
		status := http.StatusInternalServerError
		if perr.Code == codeInvalidReq {
			status = http.StatusBadRequest
		}
		id := json.RawMessage("null")
		if len(reqs) == 1 {
			id = reqs[0].ID
		}
		writeJSON(w, status, rpcResponse{Result: json.RawMessage("null"), Error: perr, ID: id})
		return
	}
	if batch {
		out := make([]any, 0, len(reqs))
		for _, req := range reqs {
			res, rerr := n.call(r.Context(), req, methods)
			if req.hasID {
				out = append(out, reply(req, res, rerr))
			}
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	req := reqs[0]
	res, rerr := n.call(r.Context(), req, methods)
	if !req.hasID {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	status := http.StatusOK
	if rerr != nil && req.JSONRPC != jsonrpcVersion2 {
		// Legacy mode: Core answers errors with HTTP 500, or 404 for
		// an unknown method and 400 for an invalid request.
		switch rerr.Code {
		case codeNoMethod:
			status = http.StatusNotFound
		case codeInvalidReq:
			status = http.StatusBadRequest
		default:
			status = http.StatusInternalServerError
		}
	}
	writeJSON(w, status, reply(req, res, rerr))
}

// call runs one request. A request that failed to parse has no method.
func (n *Node) call(ctx context.Context, req rpcRequest, methods map[string]method) (json.RawMessage, *rpcError) {
	if req.Method == "" {
		return nil, &rpcError{Code: codeInvalidReq, Message: "Invalid Request object"}
	}
	m, ok := methods[req.Method]
	if !ok {
		return nil, &rpcError{Code: codeNoMethod, Message: errNoMethodString}
	}
	args, perr := positional(req.Params, m.params)
	if perr != nil {
		return nil, perr
	}
	if n.closed() {
		return nil, errShuttingDown
	}
	v, rerr := m.fn(ctx, args)
	if rerr != nil {
		return nil, rerr
	}
	res, err := encodeResult(v)
	if err != nil {
		return nil, &rpcError{Code: codeMisc, Message: err.Error()}
	}
	return res, nil
}

// reply shapes a result or error in the request's JSON-RPC version.
func reply(req rpcRequest, res json.RawMessage, rerr *rpcError) any {
	if req.JSONRPC == jsonrpcVersion2 {
		r := rpcResponse2{JSONRPC: jsonrpcVersion2, ID: req.ID, Error: rerr}
		if rerr == nil {
			r.Result = res
		}
		return r
	}
	if rerr != nil {
		res = json.RawMessage("null")
	}
	return rpcResponse{Result: res, Error: rerr, ID: req.ID}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"result":null,"error":{"code":-1,"message":"encode reply"},"id":null}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
