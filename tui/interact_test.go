package tui

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/soloist-miner/soloist/miner"
)

// lockedBuffer is a bytes.Buffer safe for the bell's writes from a command.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

const waitFor = 3 * time.Second

func keyPress(s string) tea.KeyMsg {
	switch s {
	case "enter":
		return tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		return tea.KeyMsg{Type: tea.KeyEsc}
	case "tab":
		return tea.KeyMsg{Type: tea.KeyTab}
	case "ctrl+c":
		return tea.KeyMsg{Type: tea.KeyCtrlC}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)}
}

// startTUI runs a model under teatest with the fake controller and waits
// for the first frame with the snapshot's hashrate.
func startTUI(t *testing.T, ctl *fakeController, s miner.Snapshot, bell io.Writer) *teatest.TestModel {
	t.Helper()
	if bell == nil {
		bell = discard{}
	}
	m := NewModel(Options{Controller: ctl, Version: "v0.1.0", Network: s.Node.Chain, Output: bell})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	tm.Send(snapshotMsg(s))
	waitText(t, tm, "H/s")
	return tm
}

// waitText waits until the output stream contains text. The stream is
// drained as it is read, so wait only for text a coming frame will draw.
func waitText(t *testing.T, tm *teatest.TestModel, text string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
		teatest.WithDuration(waitFor), teatest.WithCheckInterval(10*time.Millisecond))
}

// eventually polls cond until it holds or the wait runs out.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func finalModel(t *testing.T, tm *teatest.TestModel) Model {
	t.Helper()
	return tm.FinalModel(t, teatest.WithFinalTimeout(waitFor)).(Model)
}

func TestQuit(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		t.Run(k, func(t *testing.T) {
			tm := startTUI(t, &fakeController{threads: 2}, mainnetSnapshot(t), nil)
			tm.Send(keyPress(k))
			tm.WaitFinished(t, teatest.WithFinalTimeout(waitFor))
		})
	}
}

func TestPauseResume(t *testing.T) {
	ctl := &fakeController{threads: 2}
	tm := startTUI(t, ctl, mainnetSnapshot(t), nil)
	tm.Send(keyPress("p"))
	waitText(t, tm, "PAUSED")
	eventually(t, "pause", func() bool { p, _, _ := ctl.snapshot(); return p })
	// A snapshot taken before the pause took effect must not flip the screen
	// back once the call is done; the next one from the miner says paused.
	s := mainnetSnapshot(t)
	s.Paused = true
	s.Hashrate.Now = 0
	tm.Send(snapshotMsg(s))
	tm.Send(keyPress("p"))
	eventually(t, "resume", func() bool { p, _, _ := ctl.snapshot(); return !p })
	waitText(t, tm, "resumed")
	tm.Send(keyPress("q"))
	fm := finalModel(t, tm)
	if fm.paused {
		t.Error("model still paused after resume")
	}
}

func TestThreads(t *testing.T) {
	ctl := &fakeController{threads: 2}
	tm := startTUI(t, ctl, mainnetSnapshot(t), nil)
	tm.Send(keyPress("+"))
	waitText(t, tm, "CPU threads: 3")
	tm.Send(keyPress("-"))
	waitText(t, tm, "CPU threads: 2")
	tm.Send(keyPress("-"))
	tm.Send(keyPress("-"))
	tm.Send(keyPress("-")) // cannot go below zero
	waitText(t, tm, "CPU threads: 0")
	tm.Send(keyPress("q"))
	if fm := finalModel(t, tm); fm.threads != 0 {
		t.Errorf("threads = %d, want 0", fm.threads)
	}
}

func TestHelpToggles(t *testing.T) {
	tm := startTUI(t, &fakeController{}, mainnetSnapshot(t), nil)
	tm.Send(keyPress("?"))
	waitText(t, tm, "fewer CPU threads") // only the full help says this
	tm.Send(keyPress("?"))
	tm.Send(keyPress("q"))
	if fm := finalModel(t, tm); fm.help.ShowAll || strings.Contains(fm.View(), "fewer CPU threads") {
		t.Error("full help still shown after the second ?")
	}
}

func TestResize(t *testing.T) {
	tm := startTUI(t, &fakeController{}, mainnetSnapshot(t), nil)
	tm.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	waitText(t, tm, "Share ladder") // the wide layout's boxed ladder
	tm.Send(tea.WindowSizeMsg{Width: 30, Height: 8})
	waitText(t, tm, "too small")
	tm.Send(tea.WindowSizeMsg{Width: 100, Height: 30})
	tm.Send(keyPress("q"))
	fm := finalModel(t, tm)
	if fm.w != 100 || fm.h != 30 {
		t.Fatalf("size %dx%d, want 100x30", fm.w, fm.h)
	}
	checkSize(t, fm.View(), 100, 30)
}

func TestResetConfirmation(t *testing.T) {
	ctl := &fakeController{}
	tm := startTUI(t, ctl, mainnetSnapshot(t), nil)

	tm.Send(keyPress("r"))
	waitText(t, tm, "Reset the all-time best share (12.3G, since 2026-10-02)?")
	tm.Send(keyPress("q")) // neither yes nor no: still asking, not quitting
	tm.Send(keyPress("n"))
	waitText(t, tm, "all-time best kept")
	if _, _, r := ctl.snapshot(); r != 0 {
		t.Fatalf("reset %d times after n", r)
	}

	tm.Send(keyPress("r"))
	waitText(t, tm, "Reset the all-time best")
	tm.Send(keyPress("y"))
	waitText(t, tm, "all-time best reset")
	eventually(t, "reset", func() bool { _, _, r := ctl.snapshot(); return r == 1 })

	tm.Send(keyPress("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(waitFor))
}

func TestBlockBanner(t *testing.T) {
	bell := &lockedBuffer{}
	tm := startTUI(t, &fakeController{}, mainnetSnapshot(t), bell)
	if strings.Contains(bell.String(), "\a") {
		t.Fatal("bell rang without a block")
	}
	s := regtestSnapshot(t)
	s.Blocks[0].Pending, s.Blocks[0].Confirmed = true, false
	tm.Send(snapshotMsg(s))
	waitText(t, tm, "BLOCK FOUND at height 101")
	eventually(t, "the bell", func() bool { return strings.Count(bell.String(), "\a") == 1 })

	// The verdict updates in place, and the banner stays through new
	// snapshots and other keys, without ringing again.
	s = regtestSnapshot(t)
	tm.Send(snapshotMsg(s))
	waitText(t, tm, "confirmed on the node's best chain")
	tm.Send(keyPress("2")) // other keys leave the banner up
	tm.Send(keyPress("enter"))
	tm.Send(keyPress("q"))
	fm := finalModel(t, tm)
	if fm.view != viewOdds {
		t.Errorf("view %d, want the odds view", fm.view)
	}
	if fm.bannerShown() || strings.Contains(fm.View(), "BLOCK FOUND") {
		t.Error("banner still shown after enter")
	}
	if n := strings.Count(bell.String(), "\a"); n != 1 {
		t.Errorf("bell rang %d times, want 1", n)
	}
}

func TestBannerEscAndSecondBlock(t *testing.T) {
	m := newFixtureModel(t, Options{}, 80, 24, regtestSnapshot(t), nil)
	if !m.bannerShown() {
		t.Fatal("no banner for a found block")
	}
	for _, k := range []string{"2", "tab", "?", "j"} {
		m = step(t, m, keyPress(k))
		if !strings.Contains(m.View(), "BLOCK FOUND") {
			t.Fatalf("key %s hid the banner", k)
		}
	}
	m = step(t, m, keyPress("esc"))
	if m.bannerShown() {
		t.Fatal("esc did not dismiss the banner")
	}
	s := regtestSnapshot(t)
	s.Blocks = append(s.Blocks, miner.FoundBlock{Height: 102, At: fixtureAt, Outcome: miner.SubmitHighHash, Reason: "high-hash"})
	nm, cmd := m.Update(snapshotMsg(s))
	m = nm.(Model)
	if !m.bannerShown() || cmd == nil {
		t.Fatal("a second block brought no banner or no bell")
	}
	if out := m.View(); !strings.Contains(out, "REJECTED") || !strings.Contains(out, "height 102") {
		t.Errorf("rejected block banner:\n%s", out)
	}
}

func TestChannels(t *testing.T) {
	snaps := make(chan miner.Snapshot, 1)
	events := make(chan miner.Event, 8)
	m := NewModel(Options{Snapshots: snaps, Events: events, Output: discard{}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(80, 24))
	events <- miner.Event{At: fixtureAt, Kind: miner.EventNewTip, Message: "new tip 871,234"}
	snaps <- mainnetSnapshot(t)
	waitText(t, tm, "TH/s")
	s := mainnetSnapshot(t)
	s.Hashrate.Now = 2.5e12
	snaps <- s // the command was re-armed: a second snapshot arrives too
	waitText(t, tm, "2.5 TH/s")
	close(snaps)
	close(events)
	waitText(t, tm, "the miner has stopped")
	tm.Send(keyPress("q"))
	fm := finalModel(t, tm)
	if len(fm.log) != 1 || !fm.snapsClosed || !fm.eventsClosed {
		t.Errorf("log %d events, closed %v %v", len(fm.log), fm.snapsClosed, fm.eventsClosed)
	}
}

func TestViewsSwitch(t *testing.T) {
	m := newFixtureModel(t, Options{}, 80, 24, mainnetSnapshot(t), nil)
	for _, tc := range []struct {
		key  string
		want viewID
		text string
	}{
		{"tab", viewOdds, "P(at least 1 block)"},
		{"tab", viewLearn, "merkle root"},
		{"tab", viewMining, "Hashrate"},
		{"3", viewLearn, "Block header"},
		{"1", viewMining, "Best share"},
		{"2", viewOdds, "within the next"},
	} {
		m = step(t, m, keyPress(tc.key))
		if m.view != tc.want || !strings.Contains(m.View(), tc.text) {
			t.Fatalf("after %s: view %d, want %d with %q", tc.key, m.view, tc.want, tc.text)
		}
	}
	// Keys that arrive together in one read are each handled.
	m = step(t, m, keyPress("?3"))
	if m.view != viewLearn || !m.help.ShowAll {
		t.Fatalf("after \"?3\": view %d, full help %v", m.view, m.help.ShowAll)
	}
	m = step(t, m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("q1"), Paste: true})
	if m.view != viewLearn {
		t.Fatal("pasted text acted as keys")
	}
	m = step(t, m, keyPress("?2"))
	// Scrolling moves the long views and stops at the ends.
	before := m.View()
	m = step(t, m, keyPress("k"))
	if m.View() != before {
		t.Error("scrolling up from the top moved the view")
	}
	for range 100 {
		m = step(t, m, keyPress("j"))
	}
	after := m.View()
	if after == before || !strings.Contains(after, "of 36") {
		t.Errorf("scrolled view:\n%s", after)
	}
	// Scrolling stops at the end: one step back up shows something new.
	m = step(t, m, keyPress("k"))
	if m.View() == after {
		t.Error("one k after scrolling past the end did not move the view")
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	in, inW := io.Pipe()
	defer inW.Close()
	out := &lockedBuffer{}
	snaps := make(chan miner.Snapshot, 1)
	snaps <- mainnetSnapshot(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, Options{Snapshots: snaps, Input: in, Output: out}) }()
	eventually(t, "a frame", func() bool { return strings.Contains(out.String(), "TH/s") })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(waitFor):
		t.Fatal("Run did not return after cancel")
	}
	if !strings.Contains(out.String(), "\x1b[?1049l") {
		t.Error("alternate screen not left")
	}
}
