// Package tui is soloist's terminal user interface, built on bubbletea
// v1.3: a mining dashboard (node, hashrate, devices, the three best shares,
// the lottery odds, events), an odds-and-shares tab and a learn tab that
// explains the header and coinbase being hashed.
//
// # How data reaches the program
//
// The TUI has exactly one way in for background data: re-armed
// channel-wait commands. Init starts one command that blocks on
// Options.Snapshots and one on Options.Events; each returns a single
// message, and Update issues the same command again after handling it. A
// closed channel ends its command (the screen then says the miner has
// stopped). The snapshot channel is the miner's latest-wins channel, so a
// busy screen only ever skips stale snapshots: the producer never waits for
// the TUI and rendering never slows hashing. Tests need no channels: they
// pass nil ones and deliver messages with Update or teatest's Send.
//
// # Goroutines
//
// The package starts none of its own. Run starts a bubbletea program,
// which runs the commands above (and the short Controller calls made for
// the p, +, - and r keys) on its own goroutines. A wait command still
// blocked when the program ends returns once its channel closes.
//
// The Controller is called from those command goroutines, possibly two at
// once (a pause while a thread change is in flight), so it must be safe for
// concurrent use. The terminal bell for a found block is one BEL byte
// written to Options.Output from a command.
//
// # Outside text
//
// Every string of a snapshot or event (node errors and reject reasons,
// device names, the coinbase tag) is cleaned on arrival: control
// characters, ESC included, become spaces, so no outside text can break the
// layout or send the terminal an escape sequence.
//
// # Purity
//
// View is a pure function of the model: every duration shown is computed
// from the snapshot's At and Started, never from the clock, so goldens are
// deterministic. It never returns a line wider than the window or more
// lines than its height, and a window below 50x12 gets a short notice
// instead. Colours come from a lipgloss renderer chosen once (none with
// Options.NoColor); Options.ASCII replaces every box and block glyph.
package tui
