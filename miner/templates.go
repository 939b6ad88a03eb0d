package miner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

type lpResult struct {
	t   *Template
	err error
}

// templateLoop keeps the feed on the node's newest template: it waits for a
// usable node, long polls (falling back to polling), refreshes for new
// transactions, and on a new tip publishes clean work at once.
func (m *Miner) templateLoop(ctx context.Context, fail func(error)) {
	backoff := newBackoff()
	var (
		lpCh       chan lpResult // in-flight long poll, nil when none
		lpFailures int
		lastPub    time.Time
		lastInfo   time.Time
		lastTx     string
		detection  = "polling"
		refresh    = time.NewTimer(0)
		reachable  = false
	)
	defer refresh.Stop()

	for ctx.Err() == nil {
		// Wait for a node that is reachable, on our network, synced and (on
		// public networks) connected.
		if !reachable {
			if !m.awaitNode(ctx, fail, backoff) {
				return
			}
			reachable = true
			lastInfo = time.Now()
			m.replayJournal(ctx)
			resetTimer(refresh, 0) // fetch a template now
		}

		var (
			t   *Template
			err error
		)
		select {
		case <-ctx.Done():
			return
		case r := <-lpCh:
			lpCh = nil
			t, err = r.t, r.err
			if err != nil && ctx.Err() == nil {
				lpFailures++
				if lpFailures == 1 {
					m.log.Debug("long poll failed; polling", "err", err)
				}
				if errors.Is(err, ErrUnreachable) {
					break
				}
				err = nil // fall back to an ordinary fetch below
				t = nil
			}
			if t != nil && m.olderThanCurrent(t) {
				// The answer waited in the channel while newer templates were
				// fetched: ask the node afresh rather than go back a block.
				t = nil
			}
		case <-refresh.C:
		case <-m.refetch:
		}
		if err == nil && t == nil {
			t, err = m.cfg.Node.Template(ctx, "")
		}
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			switch {
			case errors.Is(err, ErrAuth), errors.Is(err, ErrUnsupportedTemplate):
				fail(err)
				return
			}
			m.feed.Publish(nil)
			reachable = false
			m.handleNodeError(err)
			select { // the node answers Info but not with work: do not spin
			case <-ctx.Done():
				return
			case <-time.After(backoff.next()):
			}
			continue
		}
		backoff.reset()
		m.nodeReady()

		m.mu.Lock()
		newTip := t.PrevHash != m.tip
		held := t.PrevHash == m.hold && time.Now().Before(m.holdUntil)
		m.mu.Unlock()
		if held {
			// We found a block on this parent and await the node's new tip.
			resetTimer(refresh, m.cfg.PollInterval/4)
			continue
		}
		txKey := txSetKey(t)
		now := time.Now()
		if newTip || txKey != lastTx || now.Sub(lastPub) >= m.cfg.RefreshInterval || m.feed.Current() == nil {
			if err := m.publish(t, newTip); err != nil {
				fail(fmt.Errorf("cannot build a valid block from the node's template at height %d: %w", t.Height, err))
				return
			}
			lastPub, lastTx = now, txKey
			m.onTemplate(t, newTip, detection)
		}
		if newTip || now.Sub(lastInfo) > 15*time.Second {
			lastInfo = now
			m.refreshInfo(ctx)
		}

		// Next wake-up: the long poll when the node offers one, else a poll.
		if t.LongPollID != "" && lpCh == nil && lpFailures < 3 {
			lpCh = make(chan lpResult, 1)
			go func(id string, ch chan lpResult) {
				lt, lerr := m.cfg.Node.Template(ctx, id)
				ch <- lpResult{lt, lerr}
			}(t.LongPollID, lpCh)
			if detection != "long poll" {
				detection = "long poll"
				m.setDetection(detection)
			}
		}
		if lpCh == nil && detection != "polling" {
			detection = "polling"
			m.setDetection(detection)
		}
		wait := m.cfg.RefreshInterval
		if lpCh == nil {
			wait = m.cfg.PollInterval
		}
		resetTimer(refresh, wait)
		if lpFailures >= 3 && now.Sub(lastPub) > 5*time.Minute {
			lpFailures = 0 // try long polling again now and then
		}
	}
}

// awaitNode blocks until the node is usable; false when ctx ended or a fatal
// error was reported.
func (m *Miner) awaitNode(ctx context.Context, fail func(error), b *backoff) bool {
	for {
		info, err := m.cfg.Node.Info(ctx)
		if ctx.Err() != nil {
			return false
		}
		if err == nil {
			if m.cfg.Network != "" && info.Chain != m.cfg.Network {
				fail(fmt.Errorf("%w: the node is on %q but soloist was started for %q; pass --network %s or point --node at a %s node",
					ErrWrongNetwork, info.Chain, m.cfg.Network, info.Chain, m.cfg.Network))
				return false
			}
			m.setInfo(info)
			switch {
			case info.InitialDownload:
				err = fmt.Errorf("%w: %d of %d headers' blocks downloaded", ErrSyncing, info.Blocks, info.Headers)
			case m.cfg.RequirePeers && info.Peers == 0:
				err = ErrNoPeers
			default:
				return true // NodeOK once a template arrives (nodeReady)
			}
		}
		if errors.Is(err, ErrAuth) {
			fail(err)
			return false
		}
		m.handleNodeError(err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(b.next()):
		}
	}
}

// olderThanCurrent reports whether t builds a lower block than the job
// being mined.
func (m *Miner) olderThanCurrent(t *Template) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.job != nil && t.Height < m.job.Height
}

// nodeReady marks the node usable after a template arrived, saying so once
// per change.
func (m *Miner) nodeReady() {
	m.mu.Lock()
	was := m.node.State
	m.node.State, m.node.Err = NodeOK, ""
	chain, height := m.node.Chain, m.node.Height
	m.mu.Unlock()
	if was != NodeOK {
		m.emit(EventNode, slog.LevelInfo, "node ready", slog.String("chain", chain), slog.Int64("height", height))
	}
}

// handleNodeError records why there is no work and says so once per change.
func (m *Miner) handleNodeError(err error) {
	state := NodeError
	msg := "node error; retrying"
	switch {
	case errors.Is(err, ErrUnreachable):
		state, msg = NodeDown, "node unreachable; retrying"
	case errors.Is(err, ErrSyncing):
		state, msg = NodeSyncing, "node is in initial block download; not mining until it is synced"
	case errors.Is(err, ErrNoPeers):
		state, msg = NodeNoPeers, "node has no peers; not mining until it connects (a block found now could not reach the network)"
	}
	m.mu.Lock()
	changed := m.node.State != state || m.node.Err != err.Error()
	m.node.State, m.node.Err = state, err.Error()
	m.mu.Unlock()
	if changed {
		m.emit(EventNode, slog.LevelWarn, msg, slog.String("err", err.Error()))
	}
}

func (m *Miner) onTemplate(t *Template, newTip bool, detection string) {
	if newTip {
		m.emit(EventNewTip, slog.LevelInfo, "new tip",
			slog.Int64("height", t.Height-1), slog.String("hash", t.PrevHash.String()))
	}
	m.emit(EventNewTemplate, slog.LevelInfo, "new template",
		slog.Int64("height", t.Height), slog.Int("txs", len(t.Transactions)),
		slog.Int64("fees", t.Fees()), slog.Int64("value", t.CoinbaseValue), slog.String("detection", detection))
}

func (m *Miner) refreshInfo(ctx context.Context) {
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	info, err := m.cfg.Node.Info(c)
	if err == nil {
		m.setInfo(info)
	}
}

func (m *Miner) setInfo(info NodeInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.node.Chain = info.Chain
	m.node.Height = info.Blocks
	m.node.Headers = info.Headers
	m.node.Agent = info.Agent
	m.node.Peers = info.Peers
	m.node.Difficulty = info.Difficulty
	m.node.NetworkHashPS = info.NetworkHashPS
}

func (m *Miner) setDetection(d string) {
	m.mu.Lock()
	m.node.Detection = d
	m.mu.Unlock()
	m.emit(EventNode, slog.LevelInfo, "new blocks detected by "+d)
}

// txSetKey identifies a template's transaction set cheaply.
func txSetKey(t *Template) string {
	// Bits and mintime are in the key: on networks whose difficulty depends
	// on the block time (testnet, the demo's safety valve) a template with
	// new bits must be mined at once.
	if len(t.Transactions) == 0 {
		return fmt.Sprintf("%s/%08x/%d", t.PrevHash, t.Bits, t.MinTime)
	}
	last := t.Transactions[len(t.Transactions)-1].TxID
	return fmt.Sprintf("%s/%08x/%d/%d/%s/%d", t.PrevHash, t.Bits, t.MinTime, len(t.Transactions), last, t.Fees())
}

func resetTimer(t *time.Timer, d time.Duration) {
	if !t.Stop() {
		select {
		case <-t.C:
		default:
		}
	}
	t.Reset(d)
}

// backoff doubles from 1 s to 30 s.
type backoff struct{ d time.Duration }

func newBackoff() *backoff { return &backoff{} }

func (b *backoff) next() time.Duration {
	if b.d == 0 {
		b.d = time.Second
	} else if b.d *= 2; b.d > 30*time.Second {
		b.d = 30 * time.Second
	}
	return b.d
}

func (b *backoff) reset() { b.d = 0 }
