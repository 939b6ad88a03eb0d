package tui

import "testing"

// BenchmarkView measures one frame of each view at 120x40: the cost the
// TUI pays per snapshot (2–4 a second).
func BenchmarkView(b *testing.B) {
	for v := range numViews {
		m := newFixtureModel(b, Options{}, 120, 40, mainnetSnapshot(b), mainnetEvents())
		m.view = v
		b.Run([]string{"mining", "odds", "learn"}[v], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
