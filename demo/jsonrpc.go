package demo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Bitcoin Core's JSON-RPC error codes (src/rpc/protocol.h) used here.
const (
	codeMisc          = -1
	codeType          = -3
	codeNotFound      = -5 // RPC_INVALID_ADDRESS_OR_KEY, "Block not found"
	codeInvalidParam  = -8
	codeNotConnected  = -9 // also "Shutting down"
	codeDeserialize   = -22
	codeVerify        = -25
	codeInvalidReq    = -32600
	codeNoMethod      = -32601
	codeParse         = -32700
	maxRequestBytes   = 32 << 20
	maxBatchRequests  = 1000
	jsonrpcVersion2   = "2.0"
	errNoMethodString = "Method not found"
)

// rpcError is a JSON-RPC error object, {"code":…,"message":…}.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (e *rpcError) Error() string { return fmt.Sprintf("rpc error %d: %s", e.Code, e.Message) }

func errDecode(msg string) *rpcError { return &rpcError{Code: codeDeserialize, Message: msg} }

func errParam(format string, a ...any) *rpcError {
	return &rpcError{Code: codeInvalidParam, Message: fmt.Sprintf(format, a...)}
}

func errType(format string, a ...any) *rpcError {
	return &rpcError{Code: codeType, Message: fmt.Sprintf(format, a...)}
}

// errShuttingDown is returned to requests that arrive or wait while Close runs.
var errShuttingDown = &rpcError{Code: codeNotConnected, Message: "Shutting down"}

// rpcRequest is one parsed JSON-RPC call.
type rpcRequest struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  json.RawMessage `json:"params"`
	// hasID is false for JSON-RPC 2.0 notifications (no "id" member).
	hasID bool
}

// rpcResponse is a legacy (1.0) reply: result, error and id always present.
type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
	ID     json.RawMessage `json:"id"`
}

// rpcResponse2 is a JSON-RPC 2.0 reply: exactly one of result and error.
type rpcResponse2 struct {
	JSONRPC string          `json:"jsonrpc"`
	Result  json.RawMessage `json:"result,omitempty"`
	Error   *rpcError       `json:"error,omitempty"`
	ID      json.RawMessage `json:"id"`
}

// parseBody splits an HTTP body into JSON-RPC requests. batch reports a JSON
// array body. A body that is not JSON gives a -32700 error and no request; a
// single request that is not an object with a string method gives -32600
// and the request as far as it was read (its id); in a batch such elements
// come back with an empty Method.
func parseBody(body []byte) (reqs []rpcRequest, batch bool, perr *rpcError) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if !json.Valid(trimmed) {
		return nil, false, &rpcError{Code: codeParse, Message: "Parse error"}
	}
	if len(trimmed) > 0 && trimmed[0] == '[' {
		var raw []json.RawMessage
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, true, &rpcError{Code: codeParse, Message: "Parse error"}
		}
		if len(raw) > maxBatchRequests {
			return nil, true, &rpcError{Code: codeInvalidReq, Message: "Batch too large"}
		}
		reqs = make([]rpcRequest, len(raw))
		for i, r := range raw {
			reqs[i], _ = parseOne(r)
		}
		return reqs, true, nil
	}
	req, err := parseOne(trimmed)
	return []rpcRequest{req}, false, err
}

// parseOne parses a single request object. On failure the returned request
// still carries the id if one could be read, and its Method is empty.
func parseOne(raw json.RawMessage) (rpcRequest, *rpcError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return rpcRequest{ID: json.RawMessage("null"), hasID: true},
			&rpcError{Code: codeInvalidReq, Message: "Invalid Request object"}
	}
	req := rpcRequest{ID: json.RawMessage("null")}
	if id, ok := fields["id"]; ok {
		req.ID = id
		req.hasID = true
	}
	if v, ok := fields["jsonrpc"]; ok {
		// Only "2.0" switches to JSON-RPC 2.0 replies (Core 28+).
		_ = json.Unmarshal(v, &req.JSONRPC)
	}
	if req.JSONRPC != jsonrpcVersion2 {
		req.hasID = true // 1.0 has no notifications: always answer
	}
	m, ok := fields["method"]
	if !ok {
		return req, &rpcError{Code: codeInvalidReq, Message: "Missing method"}
	}
	if err := json.Unmarshal(m, &req.Method); err != nil {
		return req, &rpcError{Code: codeInvalidReq, Message: "Method must be a string"}
	}
	if req.Method == "" {
		return req, &rpcError{Code: codeInvalidReq, Message: "Missing method"}
	}
	if p, ok := fields["params"]; ok {
		req.Params = p
	}
	return req, nil
}

// positional turns params into positional arguments. names maps named
// parameters (a JSON object) to positions; unknown names are an error.
func positional(params json.RawMessage, names []string) ([]json.RawMessage, *rpcError) {
	p := bytes.TrimSpace(params)
	if len(p) == 0 || bytes.Equal(p, []byte("null")) {
		return nil, nil
	}
	switch p[0] {
	case '[':
		var args []json.RawMessage
		if err := json.Unmarshal(p, &args); err != nil {
			return nil, &rpcError{Code: codeInvalidReq, Message: "Params must be an array or object"}
		}
		if len(args) > len(names) {
			return nil, &rpcError{Code: codeMisc, Message: fmt.Sprintf("too many arguments: %d given, at most %d", len(args), len(names))}
		}
		return args, nil
	case '{':
		var named map[string]json.RawMessage
		if err := json.Unmarshal(p, &named); err != nil {
			return nil, &rpcError{Code: codeInvalidReq, Message: "Params must be an array or object"}
		}
		args := make([]json.RawMessage, 0, len(names))
		used := 0
		for i, name := range names {
			v, ok := named[name]
			if !ok {
				continue
			}
			used++
			for len(args) < i {
				args = append(args, json.RawMessage("null"))
			}
			args = append(args, v)
		}
		if used != len(named) {
			return nil, errParam("Unknown named parameter")
		}
		return args, nil
	}
	return nil, &rpcError{Code: codeInvalidReq, Message: "Params must be an array or object"}
}

// argPresent reports whether args has a non-null value at i.
func argPresent(args []json.RawMessage, i int) bool {
	return i < len(args) && !bytes.Equal(bytes.TrimSpace(args[i]), []byte("null"))
}

// argString decodes a required string argument.
func argString(args []json.RawMessage, i int, name string) (string, *rpcError) {
	if !argPresent(args, i) {
		return "", &rpcError{Code: codeMisc, Message: fmt.Sprintf("missing required argument %q", name)}
	}
	var s string
	if err := json.Unmarshal(args[i], &s); err != nil {
		return "", errType("JSON value of %s is not of expected type string", name)
	}
	return s, nil
}

// argInt decodes an optional integer (or boolean, counted as 0/1) argument.
func argInt(args []json.RawMessage, i int, name string, def int64) (int64, *rpcError) {
	if !argPresent(args, i) {
		return def, nil
	}
	var b bool
	if err := json.Unmarshal(args[i], &b); err == nil {
		if b {
			return 1, nil
		}
		return 0, nil
	}
	var v int64
	if err := json.Unmarshal(args[i], &v); err != nil {
		return 0, errType("JSON value of %s is not of expected type number", name)
	}
	return v, nil
}

// argBool decodes an optional boolean argument.
func argBool(args []json.RawMessage, i int, name string, def bool) (bool, *rpcError) {
	if !argPresent(args, i) {
		return def, nil
	}
	var b bool
	if err := json.Unmarshal(args[i], &b); err != nil {
		return false, errType("JSON value of %s is not of expected type bool", name)
	}
	return b, nil
}

// encodeResult marshals a handler's result; a nil result becomes JSON null.
func encodeResult(v any) (json.RawMessage, error) {
	if v == nil {
		return json.RawMessage("null"), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, errors.Join(errors.New("demo: encode result"), err)
	}
	return b, nil
}
