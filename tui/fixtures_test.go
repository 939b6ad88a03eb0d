package tui

import (
	"encoding/hex"
	"flag"
	"log/slog"
	"math"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"github.com/soloist-miner/soloist/miner"
)

func TestMain(m *testing.M) {
	flag.Parse()
	lipgloss.SetColorProfile(termenv.Ascii) // goldens must not depend on the TTY
	os.Exit(m.Run())
}

// fakeController records what the TUI asked of the miner.
type fakeController struct {
	mu      sync.Mutex
	paused  bool
	threads int
	resets  int
	calls   []string
}

func (f *fakeController) Pause() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = true
	f.calls = append(f.calls, "pause")
}

func (f *fakeController) Resume() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.paused = false
	f.calls = append(f.calls, "resume")
}

func (f *fakeController) SetCPUThreads(n int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.threads = max(0, min(n, 8))
	f.calls = append(f.calls, "threads")
	return f.threads
}

func (f *fakeController) CPUThreads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.threads
}

func (f *fakeController) ResetAllTimeBest() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.resets++
	f.calls = append(f.calls, "reset")
}

func (f *fakeController) snapshot() (paused bool, threads, resets int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.paused, f.threads, f.resets
}

// fixtureAt is the snapshot time of every fixture.
var fixtureAt = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)

func mustHash(t testing.TB, s string) chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		t.Fatal(err)
	}
	return *h
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// share makes a share of difficulty d with a hash of that difficulty.
func share(t testing.TB, d float64, at time.Time, height int64, src string) miner.Share {
	t.Helper()
	target := miner.DifficultyToTarget(d)
	return miner.Share{Difficulty: d, Hash: chainhash.Hash(target), At: at, Height: height, Source: src}
}

// mainnetSnapshot is a realistic mainnet-ish snapshot: a CPU, a USB stick
// and a Stratum-connected device, two hours into a session.
func mainnetSnapshot(t testing.TB) miner.Snapshot {
	const bits = 0x17028c61
	at := fixtureAt
	hist := make([]float64, 60)
	for i := range hist {
		hist[i] = 1.41e12 * (1 + 0.08*math.Sin(float64(i)/4))
	}
	hist[41] = 0.2e12 // a dip: the stick re-enumerated
	top := []miner.Share{
		share(t, 1.23e9, at.Add(-47*time.Minute), 871233, "bitaxe-01"),
		share(t, 4.56e8, at.Add(-3*time.Minute), 871235, "compacf-GSF0001"),
		share(t, 9.87e7, at.Add(-71*time.Minute), 871231, "bitaxe-01"),
		share(t, 5.43e7, at.Add(-12*time.Minute), 871234, "compacf-GSF0001"),
		share(t, 2.1e7, at.Add(-99*time.Minute), 871229, "bitaxe-01"),
		share(t, 1.9e7, at.Add(-18*time.Minute), 871234, "cpu"),
		share(t, 8.8e6, at.Add(-5*time.Minute), 871235, "bitaxe-01"),
		share(t, 6.1e6, at.Add(-30*time.Minute), 871233, "compacf-GSF0001"),
		share(t, 4.4e6, at.Add(-61*time.Minute), 871232, "bitaxe-01"),
		share(t, 3.3e6, at.Add(-88*time.Minute), 871230, "bitaxe-01"),
	}
	allTime := share(t, 1.23e10, time.Date(2026, 11, 19, 22, 4, 9, 0, time.UTC), 869990, "bitaxe-01")
	return miner.Snapshot{
		At:      at,
		Started: at.Add(-2*time.Hour - 3*time.Minute),
		Node: miner.NodeView{
			Host: "127.0.0.1:8332", Chain: "main", Height: 871234, Peers: 10, State: miner.NodeOK,
			Difficulty: miner.BitsDifficulty(bits), NetworkHashPS: 7.9e20,
			Detection: "long poll", LastBlockAt: at.Add(-3*time.Minute - 12*time.Second),
		},
		Template: miner.TemplateView{
			Height: 871235, PrevHash: mustHash(t, "00000000000000000001c0f7e1a4b0d4d7c3d1f2b5a8e9c6f3a2b1c0d9e8f7a6"),
			TxCount: 3412, Fees: 12345678, Value: 312500000 + 12345678, Bits: bits,
			Target: miner.BitsToTarget(bits), Weight: 3991234, FetchedAt: at.Add(-12 * time.Second),
		},
		Work: miner.WorkView{
			Version: 0x20000000, PrevHash: mustHash(t, "00000000000000000001c0f7e1a4b0d4d7c3d1f2b5a8e9c6f3a2b1c0d9e8f7a6"),
			MerkleRoot: mustHash(t, "4b1e6a9f0c2d3e5f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f"),
			Time:       uint32(at.Add(-20 * time.Second).Unix()), Bits: bits, Nonce: 0x9e3779b9,
			Height: 871235, HeightScript: mustHex(t, "03434b0d"), Extranonce: mustHex(t, "0000000000000a2f"),
			Tag: "/soloist/", PayoutScript: mustHex(t, "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
			PayoutAddress: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", PayoutValue: 312500000 + 12345678,
			Commitment: mustHex(t, "aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9"),
			Coinbase:   make([]byte, 212),
		},
		Hashrate:    miner.Rates{Now: 1.412e12, Min1: 1.405e12, Min15: 1.398e12, Session: 1.37e12},
		History:     hist,
		TotalHashes: 10_112_345_678_901_234,
		Devices: []miner.DeviceView{
			{DeviceStatus: miner.DeviceStatus{Name: "cpu", Kind: "cpu", Detail: "sha256d sha-ni", State: miner.DeviceRunning, Threads: 2},
				Rates: miner.Rates{Now: 12.1e6, Min1: 12e6, Min15: 12e6, Session: 11.9e6}, Shares: 1204},
			{DeviceStatus: miner.DeviceStatus{Name: "compacf-GSF0001", Kind: "usb", Detail: "GekkoScience Compac F",
				State: miner.DeviceRunning, Threads: 1, HWErrors: 12, Nonces: 9988, Temperature: 48, FrequencyMHz: 400, ExpectedRate: 3.125e11},
				Rates: miner.Rates{Now: 3.01e11, Min1: 2.98e11, Min15: 2.97e11, Session: 2.9e11}, Shares: 9988},
			{DeviceStatus: miner.DeviceStatus{Name: "bitaxe-01", Kind: "stratum", Detail: "stratum 192.168.1.40 bitaxe.01",
				State: miner.DeviceRunning, Temperature: 61},
				Rates: miner.Rates{Now: 1.099e12, Min1: 1.095e12, Min15: 1.089e12, Session: 1.07e12}, Shares: 40211, Rejected: 3},
		},
		Best: miner.BestShares{
			Session: top[0], Block: top[1], AllTime: allTime,
			AllTimeSince: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), Top: top,
		},
		Ladder: []miner.Rung{{Difficulty: 1, Count: 2354417}, {Difficulty: 1e3, Count: 2371}, {Difficulty: 1e6, Count: 3},
			{Difficulty: 1e9, Count: 1}, {Difficulty: 1e12, Count: 0}},
		Shares: 2354417, LastShareAt: at.Add(-7 * time.Second),
	}
}

// mainnetEvents are a few events of each common kind, oldest first.
func mainnetEvents() []miner.Event {
	at := fixtureAt
	return []miner.Event{
		{At: at.Add(-2 * time.Hour), Kind: miner.EventNode, Message: "connected to 127.0.0.1:8332 (main, /Satoshi:28.0.0/)"},
		{At: at.Add(-110 * time.Minute), Kind: miner.EventDevice, Message: "compacf-GSF0001 found on usb 1-1.2"},
		{At: at.Add(-47 * time.Minute), Kind: miner.EventShare, Message: "new session best 1.23G from bitaxe-01"},
		{At: at.Add(-9 * time.Minute), Kind: miner.EventDevice, Level: slog.LevelWarn, Message: "compacf-GSF0001 lost; retrying"},
		{At: at.Add(-8*time.Minute - 50*time.Second), Kind: miner.EventDevice, Message: "compacf-GSF0001 back"},
		{At: at.Add(-3*time.Minute - 12*time.Second), Kind: miner.EventNewTip, Message: "new tip 871,234 00000000000000000001c0f7…f7a6"},
		{At: at.Add(-3*time.Minute - 12*time.Second), Kind: miner.EventNewTemplate, Message: "template 871,235: 3,398 tx, fees 0.12298761 BTC"},
		{At: at.Add(-12 * time.Second), Kind: miner.EventNewTemplate, Message: "template 871,235: 3,412 tx, fees 0.12345678 BTC"},
	}
}

// regtestSnapshot is a regtest session that just found a block, which the
// node accepted and confirmed.
func regtestSnapshot(t testing.TB) miner.Snapshot {
	const bits = 0x207fffff
	at := fixtureAt
	s := miner.Snapshot{
		At: at, Started: at.Add(-90 * time.Second),
		Node: miner.NodeView{Host: "127.0.0.1:18443", Chain: "regtest", Height: 101, Peers: 0, State: miner.NodeOK,
			Difficulty: miner.BitsDifficulty(bits), Detection: "polling", LastBlockAt: at.Add(-2 * time.Second)},
		Template: miner.TemplateView{Height: 102, TxCount: 0, Value: 5000000000, Bits: bits, Target: miner.BitsToTarget(bits),
			FetchedAt: at.Add(-2 * time.Second)},
		Work: miner.WorkView{Version: 0x20000000, Time: uint32(at.Unix()), Bits: bits, Nonce: 3, Height: 102,
			HeightScript: mustHex(t, "0166"), Extranonce: mustHex(t, "0000000000000001"), Tag: "/soloist/",
			PayoutAddress: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", PayoutValue: 5000000000, Coinbase: make([]byte, 120)},
		Hashrate:    miner.Rates{Now: 2.4e6, Min1: 2.38e6, Min15: 0, Session: 2.3e6},
		History:     []float64{2.2e6, 2.35e6, 2.4e6, 2.41e6, 2.39e6, 2.4e6, 2.4e6, 2.38e6, 2.4e6},
		TotalHashes: 207_000_000,
		Devices: []miner.DeviceView{{DeviceStatus: miner.DeviceStatus{Name: "cpu", Kind: "cpu", Detail: "sha256d generic", State: miner.DeviceRunning, Threads: 2},
			Rates: miner.Rates{Now: 2.4e6, Min1: 2.38e6, Session: 2.3e6}, Shares: 48}},
		Ladder: []miner.Rung{{Difficulty: 1, Count: 48}, {Difficulty: 1e3, Count: 0}},
		Shares: 48,
	}
	best := share(t, 9.1, at.Add(-40*time.Second), 101, "cpu")
	s.Best = miner.BestShares{Session: best, Block: share(t, 1.7, at.Add(-1*time.Second), 102, "cpu"), Top: []miner.Share{best}}
	s.Blocks = []miner.FoundBlock{{
		Height: 101, Hash: mustHash(t, "3e1f5a0c2b9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f"),
		At: at.Add(-2 * time.Second), Outcome: miner.SubmitAccepted, Confirmed: true,
	}}
	return s
}

// newFixtureModel builds a model at w×h fed with a snapshot and events.
func newFixtureModel(t testing.TB, opt Options, w, h int, s miner.Snapshot, events []miner.Event) Model {
	t.Helper()
	if opt.Version == "" {
		opt.Version = "v0.1.0"
	}
	if opt.Output == nil {
		opt.Output = discard{}
	}
	m := NewModel(opt)
	m = step(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	for _, e := range events {
		m = step(t, m, eventMsg(e))
	}
	return step(t, m, snapshotMsg(s))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// step delivers one message and returns the new model (commands are not run).
func step(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	nm, _ := m.Update(msg)
	return nm.(Model)
}
