package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/soloist-miner/soloist/miner"
)

// Window sizes. Below minW×minH the screen says it is too small; from
// wideW×wideH the mining view uses two columns of boxed panels.
const (
	minW  = 50
	minH  = 12
	wideW = 110
	wideH = 30
)

// View implements tea.Model. It is a pure function of the model: every
// time shown is computed from Snapshot.At, never from the clock. It never
// returns a line wider than the window or more lines than its height.
func (m Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < minW || m.h < minH {
		return clip(m.tooSmall(), m.w, m.h, m.g.ellipsis)
	}
	top, banner, bottom, avail := m.frameParts()
	var body []string
	if long := m.longView(); long != nil {
		body = m.scrolled(long, avail)
	} else {
		body = m.miningView(m.w, avail)
	}
	for len(body) < avail {
		body = append(body, "")
	}
	lines := append(append(append(top, banner...), body...), bottom...)
	return clip(lines, m.w, m.h, m.g.ellipsis)
}

// frameParts renders what surrounds the body of the view and says how
// many lines are left for the body.
func (m Model) frameParts() (top, banner, bottom []string, avail int) {
	top = []string{m.titleBar(m.w)}
	bottom = m.footer(m.w)
	banner = m.banner(m.w, m.h-len(top)-len(bottom)-essentials)
	return top, banner, bottom, m.h - len(top) - len(bottom) - len(banner)
}

// longView is the content of a scrollable view, nil for the mining view.
func (m Model) longView() []string {
	switch m.view {
	case viewOdds:
		return m.oddsView(m.w)
	case viewLearn:
		return m.learnView(m.w)
	}
	return nil
}

// maxScroll is the largest useful scroll offset of the current view.
func (m Model) maxScroll() int {
	long := m.longView()
	_, _, _, avail := m.frameParts()
	if len(long) <= avail {
		return 0
	}
	return len(long) - (avail - 1) // one line goes to the indicator
}

// essentials is the height the banner leaves to the view under it: enough
// for the compact hashrate, best-share and odds sections.
const essentials = 12

// tooSmall is the screen for a window under minW×minH: what is wrong, and
// the two numbers a user most wants.
func (m Model) tooSmall() []string {
	lines := []string{
		m.st.warn.Render("window too small"),
		fmt.Sprintf("%dx%d; soloist needs %dx%d", m.w, m.h, minW, minH),
	}
	if m.haveSnap {
		lines = append(lines,
			"hashrate "+formatHashrate(m.snap.Hashrate.Now),
			"best "+formatSI(m.snap.Best.Session.Difficulty)+" this session")
		if m.bannerShown() {
			lines = append([]string{m.st.banner.Render("BLOCK FOUND")}, lines...)
		}
	}
	return append(lines, "q quits")
}

// titleBar is the first line: name, chain, tabs and the mining status.
func (m Model) titleBar(w int) string {
	status, style := m.status()
	right := style.Render(status)
	if m.haveSnap && !m.snap.Started.IsZero() {
		right += m.st.dim.Render("  up " + formatAge(m.snap.At.Sub(m.snap.Started)))
	}
	name := "soloist"
	if m.version != "" {
		name += " " + m.version
	}
	chain := m.network
	if chain == "" {
		chain = m.snap.Node.Chain
	}
	long := [numViews]string{"1 Mining", "2 Odds & shares", "3 Learn"}
	short := [numViews]string{"1 Mine", "2 Odds", "3 Learn"}
	tabs := func(names [numViews]string) string {
		parts := make([]string, numViews)
		for i, n := range names {
			if viewID(i) == m.view {
				parts[i] = m.st.tabActive.Render("[" + n + "]")
			} else {
				parts[i] = m.st.tab.Render(" " + n + " ")
			}
		}
		return strings.Join(parts, "")
	}
	if chain != "" {
		chain = " " + m.st.label.Render(chain)
	}
	try := []struct{ left, tabs, right string }{
		{m.st.title.Render(name) + chain, tabs(long), right},
		{m.st.title.Render("soloist") + chain, tabs(short), right},
		{m.st.title.Render("soloist"), tabs(short), style.Render(status)},
		{"", tabs(short), style.Render(status)},
	}
	for _, t := range try {
		used := lipgloss.Width(t.left) + lipgloss.Width(t.tabs) + lipgloss.Width(t.right) + 2
		if used <= w {
			gap := w - used
			return t.left + " " + t.tabs + " " + strings.Repeat(" ", gap) + t.right
		}
	}
	return fit(tabs(short)+" "+style.Render(status), w, m.g.ellipsis)
}

// status says in a word or two whether the miner is working.
func (m Model) status() (string, lipgloss.Style) {
	switch {
	case m.snapsClosed:
		return "STOPPED", m.st.bad
	case !m.haveSnap:
		return "starting", m.st.dim
	case m.paused:
		return "PAUSED", m.st.warn
	case m.snap.Node.State != miner.NodeOK:
		return "WAITING: node " + m.snap.Node.State.String(), m.st.warn
	case m.snap.Hashrate.Now > 0:
		return "MINING", m.st.good
	default:
		return "IDLE", m.st.warn
	}
}

// footer is the notice or confirmation line, then the help bar.
func (m Model) footer(w int) []string {
	var out []string
	switch {
	case m.confirming:
		b := m.snap.Best
		what := "the all-time best share"
		if b.AllTime.Difficulty > 0 {
			what += " (" + formatSI(b.AllTime.Difficulty)
			if !b.AllTimeSince.IsZero() {
				what += ", since " + b.AllTimeSince.Format("2006-01-02")
			}
			what += ")"
		}
		out = append(out, fit(m.st.warn.Render("Reset "+what+"? ")+m.st.title.Render("y")+" yes  "+m.st.title.Render("n")+" no", w, m.g.ellipsis))
	case m.snapsClosed:
		out = append(out, fit(m.st.bad.Render("the miner has stopped; press q to quit"), w, m.g.ellipsis))
	case m.notice != "" && m.snap.At.Sub(m.noticeAt) < noticeFor:
		out = append(out, fit(m.st.warn.Render(m.notice), w, m.g.ellipsis))
	}
	hm := m.help
	hm.Width = w
	keys := m.keys
	if hm.ShowAll {
		keys.Help.SetHelp("?", "fewer keys")
	}
	for _, l := range strings.Split(hm.View(keys), "\n") {
		out = append(out, fit(l, w, m.g.ellipsis))
	}
	return out
}

// banner is the found-block banner, at most maxLines high (but at least
// one line), or nothing when there is no undismissed block.
func (m Model) banner(w, maxLines int) []string {
	if !m.bannerShown() {
		return nil
	}
	blocks := m.snap.Blocks
	b := blocks[len(blocks)-1]
	verdict := m.verdict(b)
	f := frame{boxed: true, g: m.g, st: m.st, loud: true}
	iw := f.inner(w)
	title := "BLOCK FOUND at height " + formatCount(b.Height)
	if n := foundCount(m.snap) - m.dismissed; n > 1 {
		title += fmt.Sprintf(" (%d new blocks)", n)
	}
	if maxLines < 4 {
		// No room for the box: the news and the verdict, one line each.
		out := []string{fit(m.st.banner.Render("*** "+title+" ***")+m.st.dim.Render(" enter dismisses"), w, m.g.ellipsis)}
		if maxLines >= 2 {
			out = append(out, fit(verdict, w, m.g.ellipsis))
		}
		return out
	}
	lines := []string{
		"hash " + b.Hash.String(),
		verdict,
		m.st.dim.Render("found " + b.At.Format("2006-01-02 15:04:05") + "; enter or esc dismisses this"),
	}
	if lipgloss.Width(lines[0]) > iw {
		lines[0] = b.Hash.String()
	}
	if len(lines)+2 > maxLines {
		lines = lines[:maxLines-2]
	}
	return f.render(title, lines, w)
}

// verdict describes what the node said about a found block.
func (m Model) verdict(b miner.FoundBlock) string {
	var s string
	switch {
	case b.Pending:
		s = m.st.warn.Render("submitted; waiting for the node's verdict")
	case b.Outcome.Has():
		s = m.st.good.Render("node: " + b.Outcome.String())
		if b.Confirmed {
			s += m.g.sep + m.st.good.Render("confirmed on the node's best chain")
		} else {
			s += m.g.sep + m.st.warn.Render("not yet on the best chain")
		}
	default:
		s = m.st.bad.Render("node REJECTED it: " + b.Outcome.String())
		if b.Reason != "" && b.Reason != b.Outcome.String() {
			s += m.st.bad.Render(" (" + b.Reason + ")")
		}
		s += m.st.dim.Render("; the block is kept in the journal")
	}
	return s
}

// scrolled shows the part of a long view the user scrolled to, with a line
// saying there is more.
func (m Model) scrolled(lines []string, h int) []string {
	if len(lines) <= h {
		return lines
	}
	h-- // room for the indicator
	off := min(m.scroll[m.view], len(lines)-h)
	off = max(0, off)
	out := append([]string(nil), lines[off:off+h]...)
	arrows := "↑/↓"
	if m.ascii {
		arrows = "up/down"
	}
	more := fmt.Sprintf("lines %d-%d of %d; %s or j/k scroll", off+1, off+h, len(lines), arrows)
	return append(out, m.st.dim.Render(fit(more, m.w, m.g.ellipsis)))
}

// figures are the numbers several panels share, computed once per View.
type figures struct {
	difficulty float64
	rate       float64
	rateName   string
	odds       odds
}

func (m Model) figures() figures {
	s := m.snap
	f := figures{difficulty: s.Node.Difficulty}
	if f.difficulty <= 0 && s.Template.Bits != 0 {
		f.difficulty = miner.BitsDifficulty(s.Template.Bits)
	}
	switch {
	case s.Hashrate.Min15 > 0:
		f.rate, f.rateName = s.Hashrate.Min15, "15-min average"
	case s.Hashrate.Min1 > 0:
		f.rate, f.rateName = s.Hashrate.Min1, "1-min average"
	default:
		f.rate, f.rateName = s.Hashrate.Now, "current rate"
	}
	f.odds = computeOdds(f.rate, f.difficulty, s.TotalHashes, s.Node.NetworkHashPS)
	return f
}

// ago formats how long before the snapshot t was; "never" for a zero t.
func (m Model) ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return formatAge(m.snap.At.Sub(t)) + " ago"
}

// clock formats a time of this session: the time of day, with the date
// once it is more than 20 hours before the snapshot.
func (m Model) clock(t time.Time) string {
	if m.snap.At.Sub(t) > 20*time.Hour {
		return t.Format("01-02 15:04")
	}
	return t.Format("15:04:05")
}
