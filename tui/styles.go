package tui

import (
	"io"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// styles are built once per model from its renderer. The colours are the
// terminal's own 16 ANSI colours, so they follow the user's theme on light
// and dark backgrounds alike, and the renderer drops them under NO_COLOR.
type styles struct {
	title     lipgloss.Style
	tab       lipgloss.Style
	tabActive lipgloss.Style
	label     lipgloss.Style
	value     lipgloss.Style
	dim       lipgloss.Style
	good      lipgloss.Style
	warn      lipgloss.Style
	bad       lipgloss.Style
	border    lipgloss.Style
	banner    lipgloss.Style
	help      help.Styles
}

// newRenderer returns the renderer the styles use: the default one (which
// detects the terminal's colours, NO_COLOR and TERM=dumb from the
// environment) unless noColor forces plain text.
func newRenderer(noColor bool) *lipgloss.Renderer {
	if noColor {
		r := lipgloss.NewRenderer(io.Discard)
		r.SetColorProfile(termenv.Ascii)
		return r
	}
	return lipgloss.DefaultRenderer()
}

func newStyles(r *lipgloss.Renderer) styles {
	s := styles{
		title:     r.NewStyle().Bold(true),
		tab:       r.NewStyle().Foreground(lipgloss.Color("8")),
		tabActive: r.NewStyle().Bold(true).Reverse(true),
		label:     r.NewStyle().Foreground(lipgloss.Color("6")),
		value:     r.NewStyle().Bold(true),
		dim:       r.NewStyle().Foreground(lipgloss.Color("8")),
		good:      r.NewStyle().Foreground(lipgloss.Color("2")),
		warn:      r.NewStyle().Foreground(lipgloss.Color("3")),
		bad:       r.NewStyle().Foreground(lipgloss.Color("1")).Bold(true),
		border:    r.NewStyle().Foreground(lipgloss.Color("8")),
		banner:    r.NewStyle().Foreground(lipgloss.Color("3")).Bold(true),
	}
	s.help = help.Styles{
		ShortKey:       r.NewStyle().Bold(true),
		ShortDesc:      r.NewStyle().Foreground(lipgloss.Color("8")),
		ShortSeparator: r.NewStyle().Foreground(lipgloss.Color("8")),
		Ellipsis:       r.NewStyle().Foreground(lipgloss.Color("8")),
		FullKey:        r.NewStyle().Bold(true),
		FullDesc:       r.NewStyle().Foreground(lipgloss.Color("8")),
		FullSeparator:  r.NewStyle().Foreground(lipgloss.Color("8")),
	}
	return s
}

// glyphs are the non-ASCII characters the screen uses, with ASCII
// replacements for terminals that cannot draw them.
type glyphs struct {
	sep      string // between items on a line
	ellipsis string
	times    string
	ge       string
	approx   string
	spark    []rune // sparkline levels, lowest first
	// box drawing: horizontal, vertical, corners (top-left, top-right,
	// bottom-left, bottom-right)
	h, v, tl, tr, bl, br string
}

func newGlyphs(ascii bool) glyphs {
	if ascii {
		return glyphs{
			sep: " | ", ellipsis: "...", times: "x", ge: ">=", approx: "~",
			spark: []rune(" .:-=+*#"),
			h:     "-", v: "|", tl: "+", tr: "+", bl: "+", br: "+",
		}
	}
	return glyphs{
		sep: " · ", ellipsis: "…", times: "×", ge: "≥", approx: "≈",
		spark: []rune("▁▂▃▄▅▆▇█"),
		h:     "─", v: "│", tl: "╭", tr: "╮", bl: "╰", br: "╯",
	}
}
