package btcdtest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// templatePoll is how often WaitTemplateHasTxs asks for a new template.
const templatePoll = time.Second

// Template returns the node's current getblocktemplate reply ({"rules":["segwit"]}).
func (n *Node) Template(t testing.TB) json.RawMessage {
	t.Helper()
	var raw json.RawMessage
	n.callInto(t, callTimeout, &raw, "getblocktemplate", map[string]any{"rules": []string{"segwit"}})
	return raw
}

// WaitTemplateHasTxs polls getblocktemplate until the template holds every txid and returns
// that template; the test fails after timeout. btcd builds a new template with new mempool
// transactions only when the tip changed or 60 s have passed since the previous template, so
// allow at least 70 s unless no template was requested since the last block.
func (n *Node) WaitTemplateHasTxs(t testing.TB, txids []chainhash.Hash, timeout time.Duration) json.RawMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		raw := n.Template(t)
		var tmpl struct {
			Transactions []struct {
				TxID string `json:"txid"`
			} `json:"transactions"`
		}
		if err := json.Unmarshal(raw, &tmpl); err != nil {
			t.Fatalf("btcdtest: decode getblocktemplate: %v", err)
		}
		have := make(map[string]bool, len(tmpl.Transactions))
		for _, tx := range tmpl.Transactions {
			have[tx.TxID] = true
		}
		var missing []string
		for _, id := range txids {
			if !have[id.String()] {
				missing = append(missing, id.String())
			}
		}
		if len(missing) == 0 {
			return raw
		}
		if time.Now().After(deadline) {
			t.Fatalf("btcdtest: after %v the template (%d txs) still lacks %d of %d txs, e.g. %s",
				timeout, len(tmpl.Transactions), len(missing), len(txids), missing[0])
		}
		time.Sleep(templatePoll)
	}
}
