package tui

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/soloist-miner/soloist/miner"
)

func TestEventsShowTheirKeyFields(t *testing.T) {
	e := cleanEvent(miner.Event{Kind: miner.EventSubmit, Message: "block submitted", Attrs: []slog.Attr{
		slog.String("hash", "00000000abc"), slog.Int64("height", 133), slog.String("outcome", "accepted"),
		slog.String("reason", ""), slog.String("err", "bad\x1b[2Jthing"),
	}})
	if !strings.HasPrefix(e.Message, "block submitted height=133 outcome=accepted err=bad") {
		t.Fatalf("message %q", e.Message)
	}
	if strings.Contains(e.Message, "hash=") || strings.Contains(e.Message, "reason=") || strings.ContainsRune(e.Message, 0x1b) {
		t.Fatalf("message %q shows a hidden, empty or unsafe field", e.Message)
	}
}
