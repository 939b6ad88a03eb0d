package tui

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/soloist-miner/soloist/miner"
)

// Controller is what the TUI asks of the miner; miner.Miner will satisfy
// it. The TUI calls it from commands, never from Update, so a slow call
// never freezes the screen; it must be safe for concurrent use.
type Controller interface {
	// Pause stops hashing (the node connection stays up).
	Pause()
	// Resume restarts hashing after Pause.
	Resume()
	// SetCPUThreads asks for n CPU hashing threads and returns the count now
	// in effect.
	SetCPUThreads(n int) int
	// CPUThreads returns the number of CPU hashing threads.
	CPUThreads() int
	// ResetAllTimeBest forgets the persisted all-time best share.
	ResetAllTimeBest()
}

// Options configure the TUI.
type Options struct {
	// Snapshots delivers the miner's statistics, latest wins, 2–4 Hz. It is
	// closed on shutdown.
	Snapshots <-chan miner.Snapshot
	// Events delivers discrete events (buffered). It is closed on shutdown.
	Events <-chan miner.Event
	// Controller carries the pause, thread and reset keys to the miner; nil
	// disables them.
	Controller Controller
	// Version is shown in the title bar.
	Version string
	// Network is the chain name to show ("main", "regtest"); the node's own
	// chain name is used when empty.
	Network string
	// ASCII draws without box or block glyphs (dumb or ASCII terminals).
	ASCII bool
	// NoColor renders without colour or text attributes (NO_COLOR).
	NoColor bool
	// Input is where keys come from; nil means stdin.
	Input io.Reader
	// Output is the terminal; nil means stdout. The block bell is written
	// there too.
	Output io.Writer
}

// viewID names the tabs.
type viewID int

const (
	viewMining viewID = iota
	viewOdds
	viewLearn
	numViews
)

// maxEvents is how many events the model keeps for the events panel.
const maxEvents = 100

// noticeFor is how long (in snapshot time) a notice stays on screen.
const noticeFor = 8 * time.Second

// Messages. Background data arrives through re-armed commands (see doc.go).
type (
	snapshotMsg        miner.Snapshot
	eventMsg           miner.Event
	snapshotsClosedMsg struct{}
	eventsClosedMsg    struct{}
	// threadsMsg reports the CPU thread count asked for at start.
	threadsMsg int
	// controlDoneMsg reports a Controller call that finished.
	controlDoneMsg struct {
		notice  string
		threads int // -1 when the call did not report threads
	}
)

// Model is the root bubbletea model of the TUI. It is a value: Update
// returns a new Model, and View is a pure function of it.
type Model struct {
	snaps  <-chan miner.Snapshot
	events <-chan miner.Event
	ctl    Controller
	bell   io.Writer

	version string
	network string
	ascii   bool

	keys keyMap
	help help.Model
	st   styles
	g    glyphs

	w, h int
	view viewID
	// scroll is the first line shown in the scrollable views.
	scroll [numViews]int

	snap     miner.Snapshot
	haveSnap bool
	log      []miner.Event // newest last, at most maxEvents

	paused     bool // as last requested or reported
	pending    int  // Controller calls in flight
	threads    int  // CPU threads, -1 until known
	confirming bool // asking whether to reset the all-time best

	notice   string
	noticeAt time.Time // snapshot time the notice was set at

	announced int // found blocks already announced with the bell
	dismissed int // found blocks whose banner the user dismissed

	snapsClosed  bool
	eventsClosed bool
}

// NewModel builds the root model (for tests and for Run).
func NewModel(opt Options) Model {
	st := newStyles(newRenderer(opt.NoColor))
	h := help.New()
	h.Styles = st.help
	g := newGlyphs(opt.ASCII)
	h.Ellipsis = g.ellipsis
	if opt.ASCII {
		h.ShortSeparator = " | "
	}
	bell := opt.Output
	if bell == nil {
		bell = os.Stdout
	}
	return Model{
		snaps:   opt.Snapshots,
		events:  opt.Events,
		ctl:     opt.Controller,
		bell:    bell,
		version: opt.Version,
		network: opt.Network,
		ascii:   opt.ASCII,
		keys:    defaultKeyMap(opt.ASCII),
		help:    h,
		st:      st,
		g:       g,
		threads: -1,
		// Until the terminal reports its size (it may never, on a pipe).
		w: 80, h: 24,
	}
}

// Init implements tea.Model: it starts waiting for snapshots and events and
// asks the controller for the CPU thread count.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{waitSnapshot(m.snaps), waitEvent(m.events)}
	if ctl := m.ctl; ctl != nil {
		cmds = append(cmds, func() tea.Msg { return threadsMsg(ctl.CPUThreads()) })
	}
	return tea.Batch(cmds...)
}

// waitSnapshot returns a command that waits for the next snapshot; nil for a
// nil channel.
func waitSnapshot(ch <-chan miner.Snapshot) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		s, ok := <-ch
		if !ok {
			return snapshotsClosedMsg{}
		}
		return snapshotMsg(s)
	}
}

// waitEvent returns a command that waits for the next event; nil for a nil
// channel.
func waitEvent(ch <-chan miner.Event) tea.Cmd {
	if ch == nil {
		return nil
	}
	return func() tea.Msg {
		e, ok := <-ch
		if !ok {
			return eventsClosedMsg{}
		}
		return eventMsg(e)
	}
}

// Update implements tea.Model.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.Width = msg.Width
		m.scroll[m.view] = min(m.scroll[m.view], m.maxScroll())
		return m, nil
	case snapshotMsg:
		return m.onSnapshot(cleanSnapshot(miner.Snapshot(msg)))
	case eventMsg:
		m.log = append(m.log, cleanEvent(miner.Event(msg)))
		if over := len(m.log) - maxEvents; over > 0 {
			m.log = append(m.log[:0:0], m.log[over:]...)
		}
		return m, waitEvent(m.events)
	case snapshotsClosedMsg:
		m.snapsClosed = true
		return m, nil
	case eventsClosedMsg:
		m.eventsClosed = true
		return m, nil
	case threadsMsg:
		m.threads = int(msg)
		return m, nil
	case controlDoneMsg:
		if m.pending > 0 {
			m.pending--
		}
		if msg.threads >= 0 {
			m.threads = msg.threads
		}
		if msg.notice != "" {
			m.setNotice(msg.notice)
		}
		return m, nil
	case tea.KeyMsg:
		return m.onKeys(msg)
	}
	return m, nil
}

// onKeys handles a key message. Keys typed quickly (or over a slow SSH
// link) can arrive as one message of several runes ("jjj", "?3"); each is
// handled as its own key press. Pasted text is ignored, so that pasting
// into the wrong window cannot quit or reset anything.
func (m Model) onKeys(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	if msg.Paste {
		return m, nil
	}
	if msg.Type != tea.KeyRunes || len(msg.Runes) < 2 {
		return m.onKey(msg)
	}
	var cmds []tea.Cmd
	var next tea.Model = m
	for _, r := range msg.Runes {
		var cmd tea.Cmd
		next, cmd = next.(Model).onKey(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt})
		cmds = append(cmds, cmd)
	}
	return next, tea.Sequence(cmds...)
}

// onSnapshot takes a new snapshot, rings the bell for a newly found block,
// and waits for the next one.
func (m Model) onSnapshot(s miner.Snapshot) (tea.Model, tea.Cmd) {
	m.snap, m.haveSnap = s, true
	if m.pending == 0 {
		m.paused = s.Paused
	}
	cmds := []tea.Cmd{waitSnapshot(m.snaps)}
	if n := foundCount(s); n > m.announced {
		m.announced = n
		m.scroll = [numViews]int{}
		cmds = append(cmds, ringBell(m.bell))
	}
	if m.dismissed > foundCount(s) {
		m.dismissed = foundCount(s)
	}
	return m, tea.Batch(cmds...)
}

// ringBell writes the terminal bell. The renderer writes whole frames in one
// call, so a lone BEL byte cannot land inside an escape sequence.
func ringBell(w io.Writer) tea.Cmd {
	return func() tea.Msg {
		_, _ = io.WriteString(w, "\a")
		return nil
	}
}

// setNotice shows a one-line message for noticeFor.
func (m *Model) setNotice(s string) {
	m.notice, m.noticeAt = s, m.snap.At
}

// bannerShown reports whether a found-block banner is on screen.
func (m Model) bannerShown() bool {
	return len(m.snap.Blocks) > 0 && foundCount(m.snap) > m.dismissed
}

// foundCount is how many blocks the session found (Snapshot.Blocks holds
// only the latest ones).
func foundCount(s miner.Snapshot) int {
	if n := int(s.BlocksFound); n > len(s.Blocks) {
		return n
	}
	return len(s.Blocks)
}

func (m Model) onKey(msg tea.KeyMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if key.Matches(msg, k.ForceQuit) {
		return m, tea.Quit
	}
	if m.confirming {
		switch {
		case key.Matches(msg, k.Yes):
			m.confirming = false
			if m.ctl == nil {
				m.setNotice("no miner to reset")
				return m, nil
			}
			m.pending++
			ctl := m.ctl
			return m, func() tea.Msg {
				ctl.ResetAllTimeBest()
				return controlDoneMsg{notice: "all-time best reset", threads: -1}
			}
		case key.Matches(msg, k.No):
			m.confirming = false
			m.setNotice("all-time best kept")
		}
		return m, nil
	}
	if m.bannerShown() && key.Matches(msg, k.Dismiss) {
		m.dismissed = foundCount(m.snap)
		return m, nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
	case key.Matches(msg, k.NextView):
		m.view = (m.view + 1) % numViews
	case key.Matches(msg, k.Views):
		m.view = viewID(msg.Runes[0] - '1')
	case key.Matches(msg, k.Up):
		m.scroll[m.view] = max(0, m.scroll[m.view]-1)
	case key.Matches(msg, k.Down):
		m.scroll[m.view] = min(m.scroll[m.view]+1, m.maxScroll())
	case key.Matches(msg, k.Reset):
		m.confirming = true
	case key.Matches(msg, k.Pause):
		return m.togglePause()
	case key.Matches(msg, k.ThreadsUp):
		return m.addThreads(+1)
	case key.Matches(msg, k.ThreadsDown):
		return m.addThreads(-1)
	}
	return m, nil
}

func (m Model) togglePause() (tea.Model, tea.Cmd) {
	if m.ctl == nil {
		return m, nil
	}
	m.paused = !m.paused
	m.pending++
	ctl, paused := m.ctl, m.paused
	return m, func() tea.Msg {
		if paused {
			ctl.Pause()
			return controlDoneMsg{notice: "paused: hashing stopped, node still watched", threads: -1}
		}
		ctl.Resume()
		return controlDoneMsg{notice: "resumed", threads: -1}
	}
}

func (m Model) addThreads(d int) (tea.Model, tea.Cmd) {
	if m.ctl == nil {
		return m, nil
	}
	m.pending++
	ctl := m.ctl
	return m, func() tea.Msg {
		n := ctl.SetCPUThreads(max(0, ctl.CPUThreads()+d))
		return controlDoneMsg{notice: fmt.Sprintf("CPU threads: %d", n), threads: n}
	}
}
