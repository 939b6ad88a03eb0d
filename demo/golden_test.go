package demo

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/demo_template.json from a live demo node")

// testdata/demo_template.json is a real getblocktemplate reply of the demo
// node with transactions (some with depends), kept as a vector for clients.
// The test checks that a live reply still has exactly its members.
func TestTemplateMatchesTheCapturedVector(t *testing.T) {
	path := filepath.Join("testdata", "demo_template.json")
	n := startNode(t, Config{TxInterval: 10 * time.Millisecond})
	c := newClient(t, n)
	var live json.RawMessage
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		res, rerr := c.call(t, "getblocktemplate", map[string]any{"rules": []string{"segwit"}})
		if rerr != nil {
			t.Fatal(rerr)
		}
		live = res
		var g gbt
		if err := json.Unmarshal(res, &g); err != nil {
			t.Fatal(err)
		}
		if len(g.Transactions) >= 4 {
			break
		}
	}
	if *update {
		var buf bytes.Buffer
		if err := json.Indent(&buf, live, "", "  "); err != nil {
			t.Fatal(err)
		}
		buf.WriteByte('\n')
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to capture it)", err)
	}
	keys := func(b []byte) []string {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		var ks []string
		for k := range m {
			ks = append(ks, k)
		}
		slices.Sort(ks)
		return ks
	}
	if got, w := keys(live), keys(want); !slices.Equal(got, w) {
		t.Errorf("live template members %v, captured vector has %v", got, w)
	}
}
