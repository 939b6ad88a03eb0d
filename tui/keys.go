package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every key binding of the TUI; the help bar is built from it.
type keyMap struct {
	Quit        key.Binding
	Pause       key.Binding
	ThreadsUp   key.Binding
	ThreadsDown key.Binding
	// Threads is + and - together, for the short help only.
	Threads   key.Binding
	NextView  key.Binding
	Views     key.Binding
	Reset     key.Binding
	Help      key.Binding
	Dismiss   key.Binding
	Scroll    key.Binding
	Up        key.Binding
	Down      key.Binding
	Yes       key.Binding
	No        key.Binding
	ForceQuit key.Binding
}

// defaultKeyMap returns the bindings; ascii replaces the arrow glyphs in the
// help text.
func defaultKeyMap(ascii bool) keyMap {
	arrows := "↑/↓"
	if ascii {
		arrows = "up/dn"
	}
	return keyMap{
		Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:   key.NewBinding(key.WithKeys("ctrl+c")),
		Pause:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause/resume")),
		ThreadsUp:   key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "more CPU threads")),
		ThreadsDown: key.NewBinding(key.WithKeys("-", "_"), key.WithHelp("-", "fewer CPU threads")),
		Threads:     key.NewBinding(key.WithKeys("+", "-"), key.WithHelp("+/-", "threads")),
		NextView:    key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next view")),
		Views:       key.NewBinding(key.WithKeys("1", "2", "3"), key.WithHelp("1-3", "mining, odds, learn")),
		Reset:       key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reset all-time best")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Dismiss:     key.NewBinding(key.WithKeys("enter", "esc"), key.WithHelp("enter", "dismiss banner")),
		Scroll:      key.NewBinding(key.WithKeys("up", "down", "k", "j"), key.WithHelp(arrows, "scroll")),
		Up:          key.NewBinding(key.WithKeys("up", "k")),
		Down:        key.NewBinding(key.WithKeys("down", "j")),
		Yes:         key.NewBinding(key.WithKeys("y", "Y"), key.WithHelp("y", "yes")),
		No:          key.NewBinding(key.WithKeys("n", "N", "esc"), key.WithHelp("n", "no")),
	}
}

// ShortHelp implements help.KeyMap.
func (k keyMap) ShortHelp() []key.Binding {
	short := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	return []key.Binding{k.Quit, short(k.Pause, "pause"), k.Threads, short(k.NextView, "view"), short(k.Reset, "reset best"), short(k.Help, "keys")}
}

// FullHelp implements help.KeyMap.
func (k keyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Quit, k.Pause, k.Reset},
		{k.ThreadsUp, k.ThreadsDown, k.Help},
		{k.NextView, k.Views, k.Scroll, k.Dismiss},
	}
}
