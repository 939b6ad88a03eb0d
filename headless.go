package main

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/soloist-miner/soloist/miner"
)

// statusEvery is the headless status line interval.
const statusEvery = 10 * time.Second

// headlessLoop drains the miner's events (the miner logs each one itself)
// and logs a status line every 10 s until the miner stops; it returns the
// miner's error.
func headlessLoop(ctx context.Context, m *miner.Miner, log *slog.Logger, done <-chan error) error {
	t := time.NewTicker(statusEvery)
	defer t.Stop()
	var last miner.Snapshot
	events, snaps := m.Events(), m.Snapshots()
	for {
		select {
		case err := <-done:
			return err
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case s, ok := <-snaps:
			if !ok {
				snaps = nil
				continue
			}
			last = s
		case <-t.C:
			if last.At.IsZero() {
				continue
			}
			log.Info("status", statusAttrs(last)...)
		}
	}
}

// statusAttrs are the fields of the headless status line.
func statusAttrs(s miner.Snapshot) []any {
	age := "none"
	if !s.Template.FetchedAt.IsZero() {
		age = s.At.Sub(s.Template.FetchedAt).Round(time.Second).String()
	}
	return []any{
		slog.String("hashrate", siRate(s.Hashrate.Min1)),
		slog.String("hashrate_now", siRate(s.Hashrate.Now)),
		slog.String("best", siDiff(s.Best.Session.Difficulty)),
		slog.String("best_block", siDiff(s.Best.Block.Difficulty)),
		slog.Int64("height", s.Node.Height),
		slog.String("template_age", age),
		slog.String("node", s.Node.State.String()),
		slog.Uint64("blocks", s.BlocksConfirmed), // confirmed on the node's best chain
	}
}

// siRate formats H/s with an SI prefix: "23.4 MH/s".
func siRate(r float64) string { return si(r, 3) + "H/s" }

// siDiff formats a difficulty with an SI suffix: "1.25k", "0.000977".
func siDiff(d float64) string {
	if d == 0 {
		return "0"
	}
	if d < 1 {
		return fmt.Sprintf("%.3g", d)
	}
	s := si(d, 3)
	if len(s) > 0 && s[len(s)-1] == ' ' {
		return s[:len(s)-1]
	}
	return s
}

func si(v float64, digits int) string {
	const prefixes = " kMGTPEZY"
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "0 "
	}
	i := 0
	for v >= 1000 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	p := string(prefixes[i])
	if p == " " {
		p = ""
	}
	return fmt.Sprintf("%.*g %s", digits, v, p)
}
