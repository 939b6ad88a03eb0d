package rpc

import (
	"encoding/json"
	"testing"
)

// BenchmarkParseTemplateFull parses a template of about mainnet size: the
// btcd capture's three transactions repeated to 6000 (≈2.6 MB of JSON).
func BenchmarkParseTemplateFull(b *testing.B) {
	var m map[string]any
	if err := json.Unmarshal(fixture(b, "btcd_regtest_template.json"), &m); err != nil {
		b.Fatal(err)
	}
	txs := m["transactions"].([]any)
	big := make([]any, 0, 6000)
	for len(big) < 6000 {
		big = append(big, txs...)
	}
	m["transactions"] = big
	raw, err := json.Marshal(m)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseTemplate(raw); err != nil {
			b.Fatal(err)
		}
	}
}
