package tui

import (
	"fmt"
	"log/slog"
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/soloist-miner/soloist/miner"
)

// miningView is tab 1: everything at a glance. Narrow or short windows get
// one column of sections under rules, cut by priority so that the
// hashrate, the three best shares and the odds always stay; wide windows
// get two columns of boxes.
func (m Model) miningView(w, h int) []string {
	if !m.haveSnap {
		return []string{"", " waiting for the miner's first statistics" + m.g.ellipsis}
	}
	fg := m.figures()
	if w >= wideW && h >= wideH-2 {
		f := frame{boxed: true, g: m.g, st: m.st}
		lw := (w - 1) / 2
		rw := w - lw - 1
		left := f.layout([]section{
			{title: "Node", lines: m.nodeLines(f.inner(lw)), keep: 2, prio: 3},
			{title: "Hashrate", lines: m.hashrateLines(f.inner(lw), true), keep: 2, prio: 2},
			{title: "Events", lines: m.eventLines(f.inner(lw)), fill: true, prio: 5},
		}, lw, h, true)
		best := m.bestLines(f.inner(rw), fg)
		right := f.layout([]section{
			{title: m.bestTitle(), lines: append(best, m.topLines(f.inner(rw), fg)...), keep: len(best), prio: 1},
			{title: m.oddsTitle(fg), lines: m.oddsTable(f.inner(rw), fg), keep: 6, prio: 1},
			{title: "Share ladder", lines: m.ladderLines(f.inner(rw), fg, true), prio: 4},
		}, rw, h, true)
		return columns(left, right, lw, 1)
	}
	f := frame{g: m.g, st: m.st}
	iw := f.inner(w)
	rates := m.rateLines(iw)
	odds, keep := m.oddsCompact(iw, fg)
	return f.layout([]section{
		{title: "Node", lines: m.nodeLines(iw), keep: 1, prio: 3},
		{title: "Hashrate", lines: append(rates, m.hashrateLines(iw, false)...), keep: len(rates), prio: 0},
		{title: m.bestTitle(), lines: m.bestLines(iw, fg), keep: 3, prio: 1},
		{title: m.oddsTitle(fg), lines: odds, keep: keep, prio: 1},
		{title: "Shares", lines: m.ladderLines(iw, fg, false), prio: 4},
		{title: "Events", lines: m.eventLines(iw), fill: true, prio: 5},
	}, w, h, false)
}

// nodeLines describes the node and the template being mined.
func (m Model) nodeLines(w int) []string {
	n, t := m.snap.Node, m.snap.Template
	state := m.st.good.Render(n.State.String())
	if n.State != miner.NodeOK {
		state = m.st.warn.Render(n.State.String())
	}
	peers := fmt.Sprintf("%d peers", n.Peers)
	if n.Peers < 0 {
		peers = "peers unknown"
	}
	host := n.Host
	if host == "" {
		host = "node"
	}
	lines := wrapChunks([]string{m.st.value.Render(host), n.Chain, state, "height " + formatCount(n.Height), peers}, m.g.sep, w, m.g.ellipsis)
	if n.State == miner.NodeSyncing && n.Headers > n.Height {
		lines = append(lines, m.st.warn.Render(fit("synced "+formatCount(n.Height)+" of "+formatCount(n.Headers)+" blocks", w, m.g.ellipsis)))
	}
	if hint := nodeHint(n.State); hint != "" {
		for _, l := range wrapWords(hint, w) {
			lines = append(lines, m.st.warn.Render(l))
		}
	}
	if n.Err != "" {
		lines = append(lines, m.st.bad.Render(fit("error: "+n.Err, w, m.g.ellipsis)))
	}
	if t.Height > 0 {
		lines = append(lines, wrapChunks([]string{
			"template " + formatCount(t.Height),
			formatCount(t.TxCount) + " tx",
			"fees " + formatBTC(t.Fees),
			"fetched " + m.ago(t.FetchedAt),
		}, m.g.sep, w, m.g.ellipsis)...)
	}
	var chunks []string
	if n.Detection != "" {
		chunks = append(chunks, "new blocks by "+n.Detection)
	}
	if n.LastBlockAt.IsZero() {
		chunks = append(chunks, "no new block seen yet")
	} else {
		chunks = append(chunks, "last new block "+m.ago(n.LastBlockAt))
	}
	lines = append(lines, wrapChunks(chunks, m.g.sep, w, m.g.ellipsis)...)
	return lines
}

// nodeHint says what a node state means for mining, "" when all is well.
func nodeHint(s miner.NodeState) string {
	switch s {
	case miner.NodeConnecting:
		return "connecting to the node; hashing starts with its first template"
	case miner.NodeDown:
		return "cannot reach the node; retrying. Nothing is hashed meanwhile."
	case miner.NodeSyncing:
		return "the node is still downloading the chain; mining starts when it is in sync"
	case miner.NodeNoPeers:
		return "the node has no peers: a block found now could not reach the network, so mining waits"
	case miner.NodeError:
		return "the node answers but gives no work; see the error below"
	}
	return ""
}

// rateLines are the four hashrates.
func (m Model) rateLines(w int) []string {
	r := m.snap.Hashrate
	v := m.st.value.Render
	return wrapChunks([]string{
		"now " + v(formatHashrate(r.Now)),
		"1m " + v(formatHashrate(r.Min1)),
		"15m " + v(formatHashrate(r.Min15)),
		"session " + v(formatHashrate(r.Session)),
		m.lastShare(),
	}, m.g.sep, w, m.g.ellipsis)
}

// lastShare answers "is it working?": when the latest share arrived.
func (m Model) lastShare() string {
	if m.snap.LastShareAt.IsZero() {
		return "no share yet"
	}
	return "last share " + m.ago(m.snap.LastShareAt)
}

// hashrateLines are the sparkline and the devices table; withRates puts the
// rate lines first (for the boxed layout, where they share the box).
func (m Model) hashrateLines(w int, withRates bool) []string {
	var lines []string
	if withRates {
		lines = m.rateLines(w)
	}
	if hist := m.snap.History; len(hist) > 0 {
		peak := 0.0
		for _, x := range hist {
			peak = math.Max(peak, x)
		}
		label := "last 10 min "
		tail := " peak " + formatHashrate(peak)
		sw := w - lipgloss.Width(label) - lipgloss.Width(tail)
		if sw >= 10 {
			lines = append(lines, m.st.dim.Render(label)+m.st.good.Render(sparkline(hist, sw, m.g.spark))+m.st.dim.Render(tail))
		}
	}
	return append(lines, m.deviceLines(w)...)
}

// sparkline draws values as one row of w or fewer level glyphs, scaled
// from zero to the maximum, the newest on the right.
func sparkline(vals []float64, w int, levels []rune) string {
	if len(vals) > w {
		vals = vals[len(vals)-w:]
	}
	peak := 0.0
	for _, v := range vals {
		if v > peak && !math.IsInf(v, 1) { // false for NaN
			peak = v
		}
	}
	var b strings.Builder
	top := len(levels) - 1
	for _, v := range vals {
		i := 0
		switch {
		case math.IsInf(v, 1):
			i = top
		case peak > 0 && v > 0: // false for NaN
			i = min(top, max(1, int(math.Round(v/peak*float64(top))))) // any work at all shows above the floor
		}
		b.WriteRune(levels[i])
	}
	return b.String()
}

// deviceLines is the devices table: name, state, rate, threads or chips,
// error rate, temperature, then detail.
func (m Model) deviceLines(w int) []string {
	devs := m.snap.Devices
	if len(devs) == 0 {
		return []string{m.st.dim.Render("no devices")}
	}
	row := func(name, state, rate, units, errs, temp, detail string) string {
		s := pad(name, 15, m.g.ellipsis) + " " + pad(state, 8, "") + " " + padLeft(rate, 9) + " " +
			padLeft(units, 7) + " " + padLeft(errs, 6) + " " + padLeft(temp, 5)
		if rest := w - lipgloss.Width(s) - 2; rest >= 6 && detail != "" {
			s += "  " + fit(detail, rest, m.g.ellipsis)
		}
		return fit(s, w, m.g.ellipsis)
	}
	lines := []string{m.st.dim.Render(row("device", "state", "rate", "cores", "errors", "temp", "detail"))}
	deg := "°C"
	if m.ascii {
		deg = "C"
	}
	for _, d := range devs {
		state := d.State.String()
		switch d.State {
		case miner.DeviceRunning:
			state = m.st.good.Render(state)
		case miner.DeviceLost, miner.DeviceFailed:
			state = m.st.bad.Render(state)
		default:
			state = m.st.warn.Render(state)
		}
		units := "-"
		if d.Threads > 0 {
			if d.Kind == "cpu" {
				units = fmt.Sprintf("%d thr", d.Threads)
			} else {
				units = fmt.Sprintf("%d chip", d.Threads)
			}
		}
		errs := "-"
		if total := d.HWErrors + d.Nonces; total > 0 {
			errs = formatErrorRate(float64(d.HWErrors) / float64(total))
		} else if total := d.Rejected + d.Shares; d.Rejected > 0 {
			errs = formatErrorRate(float64(d.Rejected) / float64(total)) // refused solutions
		}
		temp := "-"
		if d.Temperature > 0 {
			temp = fmt.Sprintf("%.0f%s", d.Temperature, deg)
		}
		detail := d.Detail
		rate := d.Rates.Now
		if d.ExpectedRate > 0 {
			// A stick's rate is estimated from its shares: average over a
			// minute, and show the nominal rate (frequency × cores) beside it.
			rate = d.Rates.Min1
			nominal := "of " + formatHashrate(d.ExpectedRate)
			if d.FrequencyMHz > 0 {
				nominal += fmt.Sprintf(" @%.0fMHz", d.FrequencyMHz)
			}
			detail = nominal + m.g.sep + detail
		}
		if d.Err != "" {
			detail = m.st.bad.Render(d.Err)
		}
		lines = append(lines, row(d.Name, state, formatHashrate(rate), units, errs, temp, detail))
	}
	return lines
}

// bestTitle names the best-share section and says what its columns are.
func (m Model) bestTitle() string { return "Best share (difficulty, % of network)" }

// ofNetwork is a share's difficulty against the network's, in a short
// column: "0.00111%", or "19.5G×" once it would be a block.
func (m Model) ofNetwork(share, network float64) string {
	if network <= 0 || share <= 0 {
		return "-"
	}
	if r := share / network; r >= 1 {
		return formatSI(r) + m.g.times
	}
	return formatPercent(share / network)
}

// bestLines are the three named best shares.
func (m Model) bestLines(w int, fg figures) []string {
	b := m.snap.Best
	line := func(name string, s miner.Share, when string) string {
		if s.Difficulty <= 0 {
			return fit(pad(name, 11, "")+m.st.dim.Render("none yet")+when, w, m.g.ellipsis)
		}
		return fit(pad(name, 11, "")+m.st.value.Render(pad(formatSI(s.Difficulty), 6, ""))+" "+
			pad(m.ofNetwork(s.Difficulty, fg.difficulty), 10, "")+" "+m.st.dim.Render(when), w, m.g.ellipsis)
	}
	at := func(s miner.Share) string {
		if s.Difficulty <= 0 {
			return ""
		}
		w := m.clock(s.At)
		if s.Height > 0 {
			w += " block " + formatCount(s.Height)
		}
		return w
	}
	since := ""
	if !b.AllTimeSince.IsZero() {
		since = "since " + b.AllTimeSince.Format("2006-01-02")
	}
	allWhen := since
	if b.AllTime.Difficulty > 0 {
		// The date matters more than the time of day for all-time; where
		// there is room for only one date, the reset date wins.
		allWhen = b.AllTime.At.Format("2006-01-02")
		if since != "" {
			allWhen += ", counting " + since
			if 11+6+1+10+1+lipgloss.Width(allWhen) > w {
				allWhen = since
			}
		}
	} else if since != "" {
		allWhen = " " + since
	}
	return []string{
		line("session", b.Session, at(b.Session)),
		line("this block", b.Block, at(b.Block)),
		line("all-time", b.AllTime, allWhen),
	}
}

// topLines is the top-10 list under a small heading.
func (m Model) topLines(w int, fg figures) []string {
	top := m.snap.Best.Top
	if len(top) == 0 {
		return nil
	}
	lines := []string{m.st.dim.Render("top " + fmt.Sprint(len(top)) + " this session")}
	for i, s := range top {
		l := fmt.Sprintf("%2d  %s %s  block %s  %s", i+1, pad(formatSI(s.Difficulty), 6, ""),
			padLeft(m.clock(s.At), 8), formatCount(s.Height), s.Source)
		lines = append(lines, fit(l, w, m.g.ellipsis))
	}
	return lines
}

// oddsTitle names the odds section and the hashrate it assumes.
func (m Model) oddsTitle(fg figures) string {
	t := "Odds at " + formatHashrate(fg.rate) + " (" + fg.rateName + ")"
	if m.paused {
		t += ", while mining"
	}
	return t
}

// oddsCompact is the odds in a few lines; keep is how many must stay.
func (m Model) oddsCompact(w int, fg figures) ([]string, int) {
	o := fg.odds
	if fg.difficulty <= 0 {
		return []string{m.st.dim.Render("waiting for the network difficulty")}, 1
	}
	chunks := []string{"chance of a block:"}
	for i, hz := range horizons {
		chunks = append(chunks, hz.name+" "+m.st.value.Render(formatPercent(o.chances[i])))
	}
	lines := wrapChunks(chunks, " ", w, m.g.ellipsis)
	if o.hashrate <= 0 {
		lines = append(lines, wrapWords("nothing is being hashed, so there is no chance of a block yet", w)...)
	} else {
		lines = append(lines, wrapChunks([]string{
			"expected " + m.st.value.Render(formatWait(o.expected)),
			"median " + formatWait(o.median),
			formatOneIn(o.perDay) + " per day",
		}, m.g.sep, w, m.g.ellipsis)...)
	}
	keep := len(lines)
	lines = append(lines, wrapChunks(m.effortChunks(fg), m.g.sep, w, m.g.ellipsis)...)
	return lines, keep
}

func (m Model) effortChunks(fg figures) []string {
	o := fg.odds
	you := "your share " + formatPercent(o.share)
	if o.share >= 1 {
		you = "your share: all of it"
	}
	return []string{
		"effort " + formatEffort(o.effort),
		"network " + m.g.approx + formatHashrate(o.network),
		you,
		"difficulty " + formatSI(fg.difficulty),
	}
}

// oddsTable is the odds as a table, one row per horizon, then the waits,
// the effort and the network.
func (m Model) oddsTable(w int, fg figures) []string {
	o := fg.odds
	if fg.difficulty <= 0 {
		return []string{m.st.dim.Render("waiting for the network difficulty")}
	}
	lines := []string{m.st.dim.Render(pad("within the next", 17, "") + pad("P(at least 1 block)", 21, "") + "odds")}
	for i, hz := range horizons {
		lines = append(lines, fit(pad(hz.name, 17, "")+m.st.value.Render(pad(formatPercent(o.chances[i]), 21, ""))+formatOneIn(o.chances[i]), w, m.g.ellipsis))
	}
	lines = append(lines, wrapChunks([]string{
		"expected wait " + m.st.value.Render(formatWait(o.expected)),
		"median " + formatWait(o.median),
	}, m.g.sep, w, m.g.ellipsis)...)
	lines = append(lines, wrapChunks(m.effortChunks(fg), m.g.sep, w, m.g.ellipsis)...)
	return lines
}

// shareNote says what a share is, in one line.
func (m Model) shareNote(fg figures) string {
	return "A share is a hash that beats an easy target; difficulty d takes about d" + m.g.times +
		"4.3 billion hashes. A block needs d " + m.g.ge + " " + formatSI(fg.difficulty) + "."
}

// ladderLines is the share ladder: the count of shares at each rung against
// the count expected from the hashes done. full adds the explanation and one
// row per rung; otherwise it is a single line.
func (m Model) ladderLines(w int, fg figures, full bool) []string {
	rungs := m.snap.Ladder
	if !full {
		chunks := []string{fmt.Sprintf("%s shares:", formatCount(m.snap.Shares))}
		if len(rungs) == 0 {
			chunks = []string{"no shares yet"}
		}
		for _, r := range rungs {
			chunks = append(chunks, m.g.ge+formatSI(r.Difficulty)+" "+m.st.value.Render(formatSI(float64(r.Count))))
		}
		lines := wrapChunks(chunks, " ", w, m.g.ellipsis)
		for _, l := range wrapWords(m.shareNote(fg), w) {
			lines = append(lines, m.st.dim.Render(l))
		}
		return lines
	}
	lines := wrapWords(m.shareNote(fg), w)
	for i := range lines {
		lines[i] = m.st.dim.Render(lines[i])
	}
	if len(rungs) == 0 {
		return append(lines, m.st.dim.Render("no shares yet"))
	}
	lines = append(lines, m.st.dim.Render(pad("difficulty", 12, "")+padLeft("seen", 12)+padLeft("expected", 12)))
	for _, r := range rungs {
		exp := expectedShares(m.snap.TotalHashes, r.Difficulty)
		lines = append(lines, fit(pad(m.g.ge+" "+formatSI(r.Difficulty), 12, "")+
			m.st.value.Render(padLeft(formatCount(r.Count), 12))+padLeft(m.g.approx+formatSI(exp), 12), w, m.g.ellipsis))
	}
	return lines
}

// eventLines are the events, newest first.
func (m Model) eventLines(w int) []string {
	var lines []string
	if d := m.snap.DroppedEvents; d > 0 {
		lines = append(lines, m.st.warn.Render(fmt.Sprintf("%s older events dropped (the screen fell behind)", formatCount(d))))
	}
	if len(m.log) == 0 {
		return append(lines, m.st.dim.Render("no events yet"))
	}
	for i := len(m.log) - 1; i >= 0; i-- {
		e := m.log[i]
		msg := e.Message
		switch {
		case e.Level >= slog.LevelError:
			msg = m.st.bad.Render(msg)
		case e.Level >= slog.LevelWarn:
			msg = m.st.warn.Render(msg)
		case e.Kind == miner.EventBlockFound:
			msg = m.st.banner.Render(msg)
		}
		lines = append(lines, fit(m.st.dim.Render(padLeft(m.clock(e.At), 8))+" "+pad(e.Kind.String(), 8, "")+" "+msg, w, m.g.ellipsis))
	}
	return lines
}

// wrapWords breaks plain text into lines of at most w cells at spaces.
func wrapWords(s string, w int) []string {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = word
		case lipgloss.Width(cur)+1+lipgloss.Width(word) <= w:
			cur += " " + word
		default:
			lines = append(lines, cur)
			cur = word
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i := range lines {
		lines[i] = fit(lines[i], w, "")
	}
	return lines
}

// oddsView is tab 2: the odds in full, the best shares with the top 10,
// the share ladder and the blocks found, one scrollable column.
func (m Model) oddsView(w int) []string {
	if !m.haveSnap {
		return []string{"", " waiting for the miner's first statistics" + m.g.ellipsis}
	}
	fg := m.figures()
	cw := min(w, 100)
	f := frame{g: m.g, st: m.st}
	iw := f.inner(cw)
	var out []string
	add := func(title string, lines []string) { out = append(out, f.render(title, lines, cw)...) }
	odds := m.oddsTable(iw, fg)
	odds = append(odds, m.st.dim.Render(fit("P = 1 - exp(-hashrate * t / (difficulty * 2^32)); luck has no memory.", iw, m.g.ellipsis)))
	add(m.oddsTitle(fg), odds)
	add(m.bestTitle(), append(m.bestLines(iw, fg), m.topLines(iw, fg)...))
	add("Share ladder", m.ladderLines(iw, fg, true))
	add("Blocks found this session", m.blockLines(iw))
	return out
}

// blockLines lists the blocks found this session.
func (m Model) blockLines(w int) []string {
	if len(m.snap.Blocks) == 0 {
		return []string{m.st.dim.Render("none yet")}
	}
	var lines []string
	for _, b := range m.snap.Blocks {
		lines = append(lines, fit(b.At.Format("2006-01-02 15:04:05")+"  height "+formatCount(b.Height)+"  "+m.verdict(b), w, m.g.ellipsis))
		lines = append(lines, m.st.dim.Render(fit("  "+b.Hash.String(), w, m.g.ellipsis)))
	}
	return lines
}
