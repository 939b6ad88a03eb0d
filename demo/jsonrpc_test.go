package demo

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

func TestHTTPAndJSONRPCFraming(t *testing.T) {
	n := startNode(t, Config{})
	c := newClient(t, n)

	t.Run("auth required", func(t *testing.T) {
		for _, creds := range []struct{ user, pass string }{{"", ""}, {c.user, "wrong"}, {"other", c.pass}} {
			req, _ := http.NewRequest(http.MethodPost, c.url, strings.NewReader(`{"method":"getblockcount","id":1}`))
			if creds.user != "" {
				req.SetBasicAuth(creds.user, creds.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("user %q: status %d, want 401", creds.user, resp.StatusCode)
			}
		}
	})

	tests := []struct {
		name     string
		body     string
		status   int
		wantCode int    // 0: success
		wantRes  string // exact result JSON when non-empty
	}{
		{"call", `{"jsonrpc":"1.0","id":"a","method":"getconnectioncount","params":[]}`, 200, 0, "0"},
		{"no params member", `{"id":1,"method":"getconnectioncount"}`, 200, 0, "0"},
		{"null params", `{"id":1,"method":"ping","params":null}`, 200, 0, "null"},
		{"unknown method", `{"id":1,"method":"generate","params":[1]}`, 404, codeNoMethod, ""},
		{"not json", `{"id":1,`, 500, codeParse, ""},
		{"not an object", `"getblockcount"`, 400, codeInvalidReq, ""},
		{"method not a string", `{"id":1,"method":5}`, 400, codeInvalidReq, ""},
		{"params a string", `{"id":1,"method":"getblockcount","params":"x"}`, 400, codeInvalidReq, ""},
		{"too many params", `{"id":1,"method":"getblockcount","params":[1]}`, 500, codeMisc, ""},
		{"gbt without segwit", `{"id":1,"method":"getblocktemplate","params":[{"rules":[]}]}`, 500, codeInvalidParam, ""},
		{"gbt no params", `{"id":1,"method":"getblocktemplate","params":[]}`, 500, codeInvalidParam, ""},
		{"gbt bad mode", `{"id":1,"method":"getblocktemplate","params":[{"mode":"x","rules":["segwit"]}]}`, 500, codeInvalidParam, ""},
		{"gbt proposal without data", `{"id":1,"method":"getblocktemplate","params":[{"mode":"proposal"}]}`, 500, codeType, ""},
		{"named params", `{"id":1,"method":"getblockhash","params":{"height":0}}`, 200, 0, `"` + n.Params().GenesisHash.String() + `"`},
		{"unknown named param", `{"id":1,"method":"getblockhash","params":{"hight":0}}`, 500, codeInvalidParam, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := c.callRaw(t, tt.body)
			if status != tt.status {
				t.Errorf("HTTP status %d, want %d (body %s)", status, tt.status, body)
			}
			var resp struct {
				Result json.RawMessage `json:"result"`
				Error  *rpcError       `json:"error"`
			}
			var members map[string]json.RawMessage
			if err := json.Unmarshal(body, &resp); err != nil || json.Unmarshal(body, &members) != nil {
				t.Fatalf("reply %q is not a JSON object: %v", body, err)
			}
			for _, k := range []string{"result", "error", "id"} {
				if _, ok := members[k]; !ok {
					t.Errorf("reply %s has no %q member", body, k)
				}
			}
			switch {
			case tt.wantCode == 0 && resp.Error != nil:
				t.Errorf("error %v, want success", resp.Error)
			case tt.wantCode != 0 && (resp.Error == nil || resp.Error.Code != tt.wantCode):
				t.Errorf("error %v, want code %d", resp.Error, tt.wantCode)
			case tt.wantCode != 0 && string(resp.Result) != "null":
				t.Errorf("error reply has result %s, want null", resp.Result)
			case tt.wantRes != "" && string(resp.Result) != tt.wantRes:
				t.Errorf("result %s, want %s", resp.Result, tt.wantRes)
			}
		})
	}

	t.Run("GET refused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, c.url, nil)
		req.SetBasicAuth(c.user, c.pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET status %d, want 405", resp.StatusCode)
		}
	})

	t.Run("batch", func(t *testing.T) {
		status, body := c.callRaw(t, `[{"id":1,"method":"getblockcount"},{"id":2,"method":"nope"},5]`)
		if status != 200 {
			t.Errorf("status %d", status)
		}
		var out []struct {
			Result json.RawMessage `json:"result"`
			Error  *rpcError       `json:"error"`
			ID     json.RawMessage `json:"id"`
		}
		if err := json.Unmarshal(body, &out); err != nil || len(out) != 3 {
			t.Fatalf("batch reply %s: %v", body, err)
		}
		if string(out[0].Result) != "10" || out[1].Error == nil || out[1].Error.Code != codeNoMethod ||
			out[2].Error == nil || out[2].Error.Code != codeInvalidReq {
			t.Errorf("batch replies %s", body)
		}
	})

	t.Run("JSON-RPC 2.0", func(t *testing.T) {
		status, body := c.callRaw(t, `{"jsonrpc":"2.0","id":7,"method":"nope"}`)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		if status != 200 || string(m["jsonrpc"]) != `"2.0"` || m["error"] == nil {
			t.Errorf("2.0 error reply: status %d body %s", status, body)
		}
		if _, ok := m["result"]; ok {
			t.Errorf("2.0 error reply carries a result: %s", body)
		}
		status, body = c.callRaw(t, `{"jsonrpc":"2.0","method":"ping"}`)
		if status != http.StatusNoContent || len(body) != 0 {
			t.Errorf("2.0 notification: status %d body %q, want 204 and nothing", status, body)
		}
	})
}

func FuzzParseBody(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"1.0","id":"soloist","method":"getblocktemplate","params":[{"rules":["segwit"]}]}`,
		`{"id":1,"method":"submitblock","params":["00"]}`,
		`[{"id":1,"method":"getblockcount"},{"jsonrpc":"2.0","method":"ping"}]`,
		`{"id":null,"method":"getblock","params":{"blockhash":"00","verbosity":2}}`,
		`{"method":""}`, `[]`, `[1,"a",null]`, `null`, ``, `{`, `{"id":{"a":[1]},"method":"x","params":[[[[]]]]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		reqs, batch, perr := parseBody(body)
		if perr != nil {
			if len(reqs) > 1 || (len(reqs) == 1 && !json.Valid(reqs[0].ID)) {
				t.Fatalf("error %v with %d requests", perr, len(reqs))
			}
			return
		}
		if !batch && len(reqs) != 1 {
			t.Fatalf("single body gave %d requests", len(reqs))
		}
		for _, r := range reqs {
			if !json.Valid(r.ID) {
				t.Fatalf("request id %q is not JSON", r.ID)
			}
			if r.Params != nil && !json.Valid(r.Params) {
				t.Fatalf("params %q are not JSON", r.Params)
			}
			args, aerr := positional(r.Params, []string{"a", "b", "c"})
			if aerr == nil && len(args) > 3 {
				t.Fatalf("%d positional args for 3 names", len(args))
			}
			for i := range args {
				_, _ = argString(args, i, "a")
				_, _ = argInt(args, i, "a", 0)
				_, _ = argBool(args, i, "a", false)
			}
			// Every reply must be valid JSON.
			b, err := json.Marshal(reply(r, json.RawMessage("null"), nil))
			if err != nil || !json.Valid(b) {
				t.Fatalf("reply for id %q: %s %v", r.ID, b, err)
			}
		}
	})
}

func FuzzParseLongPollID(f *testing.F) {
	for _, s := range []string{strings.Repeat("ab", 32) + "0", strings.Repeat("0", 64) + "18446744073709551615", "", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		tip, seq, ok := parseLongPollID(id)
		if !ok {
			return
		}
		if got, _, ok2 := parseLongPollID(tip.String() + "0"); !ok2 || got != tip {
			t.Fatalf("tip %s does not round-trip", tip)
		}
		_ = seq
	})
}

func FuzzDecodeBlockHex(f *testing.F) {
	f.Add("")
	f.Add("00")
	f.Add(strings.Repeat("00", 81))
	f.Add("0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000")
	f.Fuzz(func(t *testing.T, s string) {
		msg, rerr := decodeBlockHex(s)
		if (msg == nil) == (rerr == nil) {
			t.Fatalf("block %v and error %v", msg, rerr)
		}
		if msg != nil && (len(msg.Transactions) == 0 || !isCoinbase(msg.Transactions[0].TxIn)) {
			t.Fatal("accepted a block without a coinbase")
		}
	})
}

func isCoinbase(in []*wire.TxIn) bool {
	return len(in) == 1 && in[0].PreviousOutPoint.Index == wire.MaxPrevOutIndex && in[0].PreviousOutPoint.Hash == (chainhash.Hash{})
}
