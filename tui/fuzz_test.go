package tui

import (
	"math"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/soloist-miner/soloist/miner"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"two\nlines", "two lines"},
		{"tab\there", "tab here"},
		{"\x1b[2Jwiped", " [2Jwiped"},
		{"c1\u009bcsi", "c1 csi"},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"wide 漢字 ok", "wide 漢字 ok"},
	}
	for _, tc := range tests {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzView feeds outside strings and odd numbers into a snapshot and checks
// that every view stays within the window and never panics.
func FuzzView(f *testing.F) {
	f.Add("127.0.0.1:8332", "connection refused", "compacf-GSF0001", "new tip", "high-hash", 1.4e12, 1e14, uint16(80), uint16(24))
	f.Add("h\nost", "e\x1b[2J", "漢字漢字漢字漢字漢字漢字", "a\tb\r\n", "\xff", math.NaN(), math.Inf(1), uint16(41), uint16(10))
	f.Add("", "", "", "", "", -1.0, -1.0, uint16(0), uint16(0))
	f.Add("x", "y", "z", "w", "v", math.Inf(1), 0.0, uint16(200), uint16(60))
	f.Fuzz(func(t *testing.T, host, errText, dev, msg, reason string, rate, diff float64, w16, h16 uint16) {
		w, h := int(w16%260), int(h16%90)
		s := mainnetSnapshot(t)
		s.Node.Host, s.Node.Err, s.Node.Difficulty = host, errText, diff
		s.Hashrate = miner.Rates{Now: rate, Min1: rate, Min15: rate, Session: rate}
		s.History = append(s.History, rate)
		s.Devices[1].Name, s.Devices[1].Err = dev, errText
		s.Devices[1].Rates.Now = rate
		s.Best.Session.Difficulty = rate
		s.Best.Top[0].Source = dev
		s.Blocks = []miner.FoundBlock{{Height: 1, Reason: reason, Outcome: miner.SubmitRejected}}
		m := NewModel(Options{Output: discard{}})
		m = step(t, m, eventMsg(miner.Event{Message: msg}))
		m = step(t, m, snapshotMsg(s))
		m = step(t, m, tea.WindowSizeMsg{Width: w, Height: h})
		for v := range numViews {
			m.view = v
			out := m.View()
			if w == 0 || h == 0 {
				continue
			}
			lines := strings.Split(out, "\n")
			if len(lines) > h {
				t.Fatalf("%dx%d view %d: %d lines", w, h, v, len(lines))
			}
			for i, l := range lines {
				if lipgloss.Width(l) > w {
					t.Fatalf("%dx%d view %d: line %d is %d wide: %q", w, h, v, i, lipgloss.Width(l), l)
				}
			}
			if strings.ContainsAny(out, "\x1b\r\t") {
				t.Fatalf("control characters reached the screen: %q", out)
			}
		}
	})
}

func TestSparklineOddValues(t *testing.T) {
	levels := []rune("01234567")
	tests := []struct {
		in   []float64
		want string
	}{
		{[]float64{0, 1, 2, 4}, "0247"},
		{[]float64{math.NaN(), 4, -1, 2}, "0704"},
		{[]float64{math.Inf(1), 4, 0.01}, "771"},
		{[]float64{1, 2, 3}, "257"},
	}
	for _, tc := range tests {
		if got := sparkline(tc.in, 10, levels); got != tc.want {
			t.Errorf("sparkline(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := sparkline([]float64{1, 2, 3, 4}, 2, levels); got != "57" {
		t.Errorf("newest values kept: got %q", got)
	}
}
