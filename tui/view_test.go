package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/soloist-miner/soloist/miner"
)

var sizes = []struct{ w, h int }{{80, 24}, {120, 40}}

func TestView(t *testing.T) {
	fixtures := []struct {
		name   string
		snap   func(testing.TB) miner.Snapshot
		events []miner.Event
		opt    Options
	}{
		{"mainnet", mainnetSnapshot, mainnetEvents(), Options{Network: "main"}},
		{"regtest_block", regtestSnapshot, []miner.Event{{At: fixtureAt.Add(-2e9), Kind: miner.EventBlockFound, Message: "BLOCK 101 found by cpu"}}, Options{Network: "regtest"}},
		{"mainnet_ascii", mainnetSnapshot, mainnetEvents(), Options{Network: "main", ASCII: true, NoColor: true}},
	}
	views := []struct {
		name string
		id   viewID
	}{{"mining", viewMining}, {"odds", viewOdds}, {"learn", viewLearn}}
	for _, fx := range fixtures {
		for _, v := range views {
			for _, sz := range sizes {
				t.Run(fmt.Sprintf("%s/%s/%dx%d", fx.name, v.name, sz.w, sz.h), func(t *testing.T) {
					m := newFixtureModel(t, fx.opt, sz.w, sz.h, fx.snap(t), fx.events)
					m.view = v.id
					out := m.View()
					checkSize(t, out, sz.w, sz.h)
					golden.RequireEqual(t, []byte(out))
				})
			}
		}
	}
}

// TestViewStates goldens the mining view at 80x24 in the states a user
// meets before mining starts or when the node is gone.
func TestViewStates(t *testing.T) {
	down := mainnetSnapshot(t)
	down.Node.State = miner.NodeDown
	down.Node.Err = "dial tcp 127.0.0.1:8332: connect: connection refused"
	down.Hashrate.Now = 0
	for i := range down.Devices {
		down.Devices[i].State = miner.DeviceIdle
		down.Devices[i].Rates.Now = 0
	}
	syncing := miner.Snapshot{At: fixtureAt, Started: fixtureAt.Add(-5e9),
		Node: miner.NodeView{Host: "127.0.0.1:8332", Chain: "main", Height: 812345, Peers: 8, State: miner.NodeSyncing, Difficulty: 1e14}}
	tests := []struct {
		name string
		m    Model
	}{
		{"before_first_snapshot", step(t, NewModel(Options{Version: "v0.1.0", Output: discard{}}), tea.WindowSizeMsg{Width: 80, Height: 24})},
		{"node_down", newFixtureModel(t, Options{}, 80, 24, down, mainnetEvents())},
		{"syncing", newFixtureModel(t, Options{}, 80, 24, syncing, nil)},
		{"full_help", func() Model {
			m := newFixtureModel(t, Options{}, 80, 24, mainnetSnapshot(t), mainnetEvents())
			return step(t, m, keyPress("?"))
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := tc.m.View()
			checkSize(t, out, 80, 24)
			golden.RequireEqual(t, []byte(out))
		})
	}
}

// checkSize fails when out has a line wider than w or more than h lines.
func checkSize(t *testing.T, out string, w, h int) {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) > h {
		t.Errorf("%dx%d: %d lines", w, h, len(lines))
	}
	for i, l := range lines {
		if lw := lipgloss.Width(l); lw > w {
			t.Errorf("%dx%d: line %d is %d wide: %q", w, h, i, lw, l)
		}
	}
}

// TestViewFitsEverySize renders every view of every fixture at sizes from
// 40x10 to 200x60, cycling through the states that change the layout (full
// help, the reset question, a scrolled view, ASCII glyphs).
func TestViewFitsEverySize(t *testing.T) {
	var widths, heights []int
	for w := 40; w <= 200; w += 11 {
		widths = append(widths, w)
	}
	widths = append(widths, minW-1, minW, 79, 80, 81, wideW-1, wideW, 119, 120, 200)
	for h := 10; h <= 60; h += 5 {
		heights = append(heights, h)
	}
	heights = append(heights, minH-1, minH, 23, 24, 25, wideH-1, wideH, 39, 40, 60)
	bases := []Model{
		newFixtureModel(t, Options{}, 80, 24, mainnetSnapshot(t), mainnetEvents()),
		newFixtureModel(t, Options{ASCII: true}, 80, 24, regtestSnapshot(t), mainnetEvents()),
		newFixtureModel(t, Options{}, 80, 24, miner.Snapshot{}, nil),
	}
	n := 0
	for bi, base := range bases {
		for _, w := range widths {
			for _, h := range heights {
				for v := range numViews {
					n++
					m := step(t, base, tea.WindowSizeMsg{Width: w, Height: h})
					m.view = v
					m.help.ShowAll = n%3 == 0
					m.confirming = n%5 == 0
					m.scroll[v] = (n % 4) * h // sometimes past the end
					out := m.View()
					lines := strings.Split(out, "\n")
					if len(lines) > h {
						t.Fatalf("base %d, %dx%d, view %d: %d lines:\n%s", bi, w, h, v, len(lines), out)
					}
					for i, l := range lines {
						if lipgloss.Width(l) > w {
							t.Fatalf("base %d, %dx%d, view %d: line %d is %d wide: %q", bi, w, h, v, i, lipgloss.Width(l), l)
						}
					}
				}
			}
		}
	}
}

// TestCompactKeepsEssentials checks that 80x24, and even 60x16, still
// show the hashrate, the three best shares and the odds, also under a block
// banner.
func TestCompactKeepsEssentials(t *testing.T) {
	for _, sz := range []struct{ w, h int }{{80, 24}, {60, 16}} {
		for _, s := range []miner.Snapshot{mainnetSnapshot(t), regtestSnapshot(t)} {
			m := newFixtureModel(t, Options{}, sz.w, sz.h, s, mainnetEvents())
			out := m.View()
			want := []string{"now ", "session", "this block", "all-time", "chance of a block", "expected", "per day"}
			if len(s.Blocks) > 0 {
				want = append(want, "BLOCK FOUND at height 101")
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%s at %dx%d lacks %q:\n%s", s.Node.Chain, sz.w, sz.h, w, out)
				}
			}
		}
	}
}

func TestTooSmallSaysSo(t *testing.T) {
	m := newFixtureModel(t, Options{}, 40, 10, mainnetSnapshot(t), nil)
	if out := m.View(); !strings.Contains(out, "too small") || !strings.Contains(out, "TH/s") {
		t.Errorf("40x10:\n%s", out)
	}
}

func TestASCIIHasNoBoxGlyphs(t *testing.T) {
	for v := range numViews {
		for _, sz := range sizes {
			m := newFixtureModel(t, Options{ASCII: true}, sz.w, sz.h, regtestSnapshot(t), mainnetEvents())
			m.view = v
			for _, r := range m.View() {
				if r > 0x7e {
					// Event messages come from the miner verbatim; the fixture's contain "…".
					if r == '…' {
						continue
					}
					t.Errorf("view %d %dx%d: non-ASCII %q", v, sz.w, sz.h, r)
					break
				}
			}
		}
	}
}
