package tui

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// This file holds the width and height arithmetic every view uses. Lines
// are measured with lipgloss.Width (ANSI-aware, cell widths) and cut with
// ansi.Truncate, so styled text never exceeds the terminal.

// fit truncates s to at most w cells, ending in tail when it cuts.
func fit(s string, w int, tail string) string {
	if w <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= w {
		return s
	}
	if lipgloss.Width(tail) >= w {
		tail = ""
	}
	return ansi.Truncate(s, w, tail)
}

// pad fits s into exactly w cells, padding with spaces.
func pad(s string, w int, tail string) string {
	s = fit(s, w, tail)
	if n := w - lipgloss.Width(s); n > 0 {
		s += strings.Repeat(" ", n)
	}
	return s
}

// padLeft right-aligns s in w cells.
func padLeft(s string, w int) string {
	if n := w - lipgloss.Width(s); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}

// wrapChunks lays chunks out on as few lines of width w as it can, joined by
// sep; a chunk wider than w is truncated onto a line of its own.
func wrapChunks(chunks []string, sep string, w int, tail string) []string {
	var lines []string
	cur := ""
	for _, c := range chunks {
		if c == "" {
			continue
		}
		switch {
		case cur == "":
			cur = c
		case lipgloss.Width(cur)+lipgloss.Width(sep)+lipgloss.Width(c) <= w:
			cur += sep + c
		default:
			lines = append(lines, fit(cur, w, tail))
			cur = c
		}
	}
	if cur != "" {
		lines = append(lines, fit(cur, w, tail))
	}
	return lines
}

// section is one titled block of a view. Its first keep lines are what the
// block is for; the rest go first when the window is short. prio orders the
// sections for cutting: the highest prio loses lines first.
type section struct {
	title string
	lines []string
	keep  int
	prio  int
	// fill marks the section that takes whatever height is left (events);
	// lines holds as many as it could ever show, best first.
	fill bool
}

// frame says how sections are drawn: boxed (two lines of border, four
// columns) or under a one-line rule.
type frame struct {
	boxed bool
	g     glyphs
	st    styles
	// loud draws the border and title in the banner style.
	loud bool
}

// overhead is the number of lines a section costs beyond its own.
func (f frame) overhead() int {
	if f.boxed {
		return 2
	}
	return 1
}

// inner is the width available to a section's lines in width w.
func (f frame) inner(w int) int {
	if f.boxed {
		return w - 4
	}
	return w - 1
}

// layout fits sections into h lines of width w. It first cuts the optional
// lines of the highest-prio sections, then drops whole sections (highest
// prio first), and gives the fill section what is left. With stretch, the
// last section shown is padded with blank lines down to the h-th line, so
// that side-by-side columns of boxes end together. It never returns more
// than h lines.
func (f frame) layout(secs []section, w, h int, stretch bool) []string {
	n := make([]int, len(secs)) // lines shown per section; -1 = dropped
	total := func() int {
		t := 0
		for i, s := range secs {
			if n[i] < 0 || (s.fill && n[i] == 0) {
				continue
			}
			t += n[i] + f.overhead()
		}
		return t
	}
	for i, s := range secs {
		if s.fill {
			n[i] = min(1, len(s.lines))
			if n[i] == 0 {
				n[i] = -1
			}
		} else {
			n[i] = len(s.lines)
		}
	}
	// Cut optional lines, then whole sections, highest prio first.
	order := make([]int, len(secs))
	for i := range order {
		order[i] = i
	}
	for a := 1; a < len(order); a++ { // insertion sort by prio, descending
		for b := a; b > 0 && secs[order[b]].prio > secs[order[b-1]].prio; b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	for _, i := range order {
		for total() > h && n[i] > secs[i].keep && n[i] > 0 {
			n[i]--
		}
	}
	for _, i := range order {
		if total() <= h {
			break
		}
		n[i] = -1
	}
	// Give the rest to fill sections.
	for i, s := range secs {
		if s.fill && n[i] >= 0 {
			if spare := h - total(); spare > 0 {
				n[i] = min(len(s.lines), n[i]+spare)
			}
		}
	}
	last := -1
	for i := range secs {
		if n[i] > 0 {
			last = i
		}
	}
	spare := h - total()
	var out []string
	for i, s := range secs {
		if n[i] <= 0 {
			continue
		}
		lines := s.lines[:n[i]]
		if stretch && i == last && spare > 0 {
			lines = append(lines[:len(lines):len(lines)], make([]string, spare)...)
		}
		out = append(out, f.render(s.title, lines, w)...)
	}
	if len(out) > h {
		out = out[:h]
	}
	return out
}

// render draws one section at width w.
func (f frame) render(title string, lines []string, w int) []string {
	g, st := f.g, f.st
	if f.loud {
		st.border, st.title = st.banner, st.banner
	}
	out := make([]string, 0, len(lines)+2)
	if !f.boxed {
		out = append(out, ruleLine(title, w, g, st))
		for _, l := range lines {
			out = append(out, pad(" "+l, w, g.ellipsis))
		}
		return out
	}
	in := w - 4
	t := ""
	if title != "" {
		t = " " + st.title.Render(fit(title, max(0, w-6), g.ellipsis)) + " "
	}
	top := g.tl + g.h + t
	top += strings.Repeat(g.h, max(0, w-lipgloss.Width(top)-1)) + g.tr
	out = append(out, st.border.Render(fit(top, w, "")))
	for _, l := range lines {
		out = append(out, st.border.Render(g.v)+" "+pad(l, in, g.ellipsis)+" "+st.border.Render(g.v))
	}
	bottom := g.bl + strings.Repeat(g.h, max(0, w-2)) + g.br
	out = append(out, st.border.Render(bottom))
	return out
}

// ruleLine is a section title drawn as a rule across width w.
func ruleLine(title string, w int, g glyphs, st styles) string {
	head := g.h + g.h + " "
	t := st.title.Render(title) + " "
	if title == "" {
		t = ""
	}
	s := st.border.Render(head) + t
	if rest := w - lipgloss.Width(s); rest > 0 {
		s += st.border.Render(strings.Repeat(g.h, rest))
	}
	return fit(s, w, "")
}

// clip makes lines a screen of at most h lines of at most w cells: the last
// line of defence for the size invariant.
func clip(lines []string, w, h int, tail string) string {
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = fit(l, w, tail)
	}
	return strings.Join(lines, "\n")
}

// columns joins two columns of lines side by side, the left padded to lw
// cells, with gap spaces between.
func columns(left, right []string, lw, gap int) []string {
	n := max(len(left), len(right))
	out := make([]string, n)
	for i := range n {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out[i] = pad(l, lw, "") + strings.Repeat(" ", gap) + r
	}
	return out
}
