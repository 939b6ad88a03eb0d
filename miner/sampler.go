package miner

import (
	"context"
	"time"
)

// sampleLoop publishes a Snapshot every SnapshotInterval, latest wins.
func (m *Miner) sampleLoop(ctx context.Context) {
	t := time.NewTicker(m.cfg.SnapshotInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			offer(m.snaps, m.snapshot(now))
		}
	}
}

// Snapshot builds a snapshot now (the sampler does this on its own; tests
// and the headless printer may call it too).
func (m *Miner) Snapshot() Snapshot { return m.snapshot(time.Now()) }

func (m *Miner) snapshot(now time.Time) Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := Snapshot{
		At: now, Started: m.started, Paused: m.paused.Load(),
		Node: m.node, Template: m.tmpl, Work: m.work,
		Blocks:      append([]FoundBlock(nil), m.blocks...),
		BlocksFound: m.blocksFound, BlocksConfirmed: m.blocksConfirmed,
		DroppedEvents: m.dropped.Load(),
	}
	s.Best, s.Ladder, s.Shares = m.best.view()
	s.LastShareAt = m.best.last
	s.MinShareDifficulty = m.cfg.MinShareDifficulty
	var total uint64
	for _, hs := range m.hashers {
		st := hs.h.Status()
		hs.meter.add(now, st.Hashes)
		total += st.Hashes
		s.Devices = append(s.Devices, DeviceView{
			DeviceStatus: st, Rates: hs.meter.rates(now, st.Hashes),
			Shares: hs.shares, Rejected: hs.rejected,
		})
	}
	m.total.add(now, total)
	s.TotalHashes = total
	s.Hashrate = m.total.rates(now, total)
	s.History = m.total.history(now, total)
	return s
}

// offer replaces any unread value in ch (capacity 1) with v without
// blocking; the caller must be ch's only sender.
func offer[T any](ch chan T, v T) {
	select {
	case <-ch:
	default:
	}
	select {
	case ch <- v:
	default:
	}
}
