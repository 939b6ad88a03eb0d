package miner

import (
	"log/slog"
	"time"
)

// EventKind classifies events.
type EventKind int

// Event kinds.
const (
	EventNewTip EventKind = iota
	EventNewTemplate
	EventShare
	EventBlockFound
	EventSubmit
	EventConfirm
	EventNode
	EventDevice
	EventInfo
)

var eventKindNames = [...]string{"tip", "template", "share", "block", "submit", "confirm", "node", "device", "info"}

// String returns the kind's short name.
func (k EventKind) String() string {
	if k < 0 || int(k) >= len(eventKindNames) {
		return "event"
	}
	return eventKindNames[k]
}

// Event is something that happened, for the event log. Events are not
// coalesced: each one is delivered, or counted in Snapshot.DroppedEvents
// when the reader falls behind.
type Event struct {
	At      time.Time
	Kind    EventKind
	Level   slog.Level
	Message string
	// Attrs carries the event's fields for structured logs (height, hash, ...).
	Attrs []slog.Attr
}
