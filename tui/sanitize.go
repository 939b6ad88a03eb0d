package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/soloist-miner/soloist/miner"
)

// Strings in snapshots and events come from outside: the node's error and
// reject texts, device names and serials, the payout address. Before they
// reach the screen, clean turns every control character (newline, tab, ESC,
// the C1 set) into a space, so that no outside text can add a line, break
// the layout or send the terminal an escape sequence.

// clean returns s with control characters replaced by spaces and invalid
// UTF-8 by U+FFFD.
func clean(s string) string {
	ok := utf8.ValidString(s)
	for i := 0; ok && i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f || (c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] < 0xa0) {
			ok = false
		}
	}
	if ok {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// cleanSnapshot returns s with every string cleaned. Slices holding strings
// are copied, since a snapshot is shared and must not be modified.
func cleanSnapshot(s miner.Snapshot) miner.Snapshot {
	n := &s.Node
	n.Host, n.Chain, n.Err, n.Detection = clean(n.Host), clean(n.Chain), clean(n.Err), clean(n.Detection)
	s.Work.Tag, s.Work.PayoutAddress = clean(s.Work.Tag), clean(s.Work.PayoutAddress)
	s.Devices = append([]miner.DeviceView(nil), s.Devices...)
	for i := range s.Devices {
		d := &s.Devices[i]
		d.Name, d.Kind, d.Detail, d.Err = clean(d.Name), clean(d.Kind), clean(d.Detail), clean(d.Err)
	}
	b := &s.Best
	b.Session.Source, b.Block.Source, b.AllTime.Source = clean(b.Session.Source), clean(b.Block.Source), clean(b.AllTime.Source)
	b.Top = append([]miner.Share(nil), b.Top...)
	for i := range b.Top {
		b.Top[i].Source = clean(b.Top[i].Source)
	}
	s.Blocks = append([]miner.FoundBlock(nil), s.Blocks...)
	for i := range s.Blocks {
		s.Blocks[i].Reason = clean(s.Blocks[i].Reason)
	}
	return s
}

// eventKeys are the event fields shown after the message, in this order.
var eventKeys = []string{"height", "outcome", "reason", "difficulty", "device", "txs", "detection", "err"}

// cleanEvent returns e with its message cleaned and its key fields
// appended ("block submitted height=133 outcome=accepted").
func cleanEvent(e miner.Event) miner.Event {
	msg := e.Message
	for _, k := range eventKeys {
		for _, a := range e.Attrs {
			if a.Key != k {
				continue
			}
			if v := a.Value.String(); v != "" {
				msg += " " + k + "=" + v
			}
		}
	}
	e.Message = clean(msg)
	return e
}
