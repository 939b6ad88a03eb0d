package miner

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Reasons a solution is refused.
var (
	errStale    = errors.New("stale: its job builds on an old tip")
	errHWTarget = errors.New("hash does not meet the device's target (hardware error)")
	errVersion  = errors.New("version rolled outside the allowed bits")
	errTime     = errors.New("header time outside the template's bounds")
)

// CheckSolution re-hashes a solution with crypto/sha256 and returns its
// header hash, or why it must not count. It does not know about tips.
func CheckSolution(s *Solution) (chainhash.Hash, error) {
	j := s.Work.Job
	if (uint32(s.Version)^uint32(j.Version))&^j.VersionMask != 0 {
		return chainhash.Hash{}, errVersion
	}
	if s.NTime < j.MinTime || s.NTime > j.MaxTime {
		return chainhash.Hash{}, errTime
	}
	h := s.Header()
	first := sha256.Sum256(h[:])
	hash := chainhash.Hash(sha256.Sum256(first[:]))
	if !MeetsTarget(&hash, &s.Target) {
		return hash, errHWTarget
	}
	return hash, nil
}

// solutionLoop verifies every solution, updates share statistics, and hands
// blocks to submit.
func (m *Miner) solutionLoop(ctx context.Context, sols <-chan Solution, subCtx context.Context, subs *sync.WaitGroup) {
	for {
		var s Solution
		select {
		case <-ctx.Done():
			return
		case s = <-sols:
		}
		hash, err := CheckSolution(&s)
		j := s.Work.Job
		m.mu.Lock()
		if err == nil && j.PrevHash != m.tip {
			err = errStale
		}
		hs := m.hasherState(s.Source)
		if err != nil {
			if hs != nil {
				hs.rejected++
			}
			m.mu.Unlock()
			lvl := slog.LevelDebug
			if errors.Is(err, errHWTarget) {
				lvl = slog.LevelWarn
			}
			m.emit(EventShare, lvl, "solution refused", slog.String("device", s.Source), slog.String("reason", err.Error()))
			continue
		}
		if hs != nil {
			hs.shares++
		}
		share := Share{Difficulty: HashDifficulty(&hash), Hash: hash, At: time.Now(), Height: j.Height, Source: s.Source}
		prevBest := m.best.session.Difficulty
		if share.Difficulty > m.best.block.Difficulty && j == m.job {
			m.work = workView(&s, m.cfg.Tag, m.cfg.Payout)
		}
		allTime, perr := m.best.add(share)
		isBlock := MeetsTarget(&hash, &j.Target)
		dup := isBlock && m.foundOn[j.PrevHash]
		if isBlock && !dup {
			m.foundOn[j.PrevHash] = true
			m.hold, m.holdUntil = j.PrevHash, time.Now().Add(10*time.Second)
			m.addBlock(FoundBlock{Height: j.Height, Hash: hash, At: share.At, Pending: true})
		}
		m.mu.Unlock()
		if perr != nil {
			m.log.Warn("could not save the all-time best share", "err", perr)
		}
		if share.Difficulty > prevBest || allTime {
			m.emit(EventShare, slog.LevelInfo, "new best share",
				slog.String("difficulty", fmt.Sprintf("%.4g", share.Difficulty)), slog.Bool("all_time", allTime),
				slog.String("device", s.Source), slog.Int64("height", j.Height))
		}
		if !isBlock {
			continue
		}
		if dup {
			m.emit(EventBlockFound, slog.LevelDebug, "another block on the same parent; not submitted",
				slog.Int64("height", j.Height), slog.String("hash", hash.String()))
			continue
		}
		// Stop hashing on this parent: whatever we find next on it competes
		// with our own block. The template loop fetches new work.
		if cur := m.feed.Current(); cur != nil && cur.PrevHash == j.PrevHash {
			m.feed.Publish(nil)
		}
		header := s.Header()
		block := s.Work.Block(header)
		m.emit(EventBlockFound, slog.LevelInfo, "block found",
			slog.Int64("height", j.Height), slog.String("hash", hash.String()), slog.String("device", s.Source))
		subs.Add(1)
		go func() {
			defer subs.Done()
			m.deliver(subCtx, PendingBlock{Hash: hash, PrevHash: j.PrevHash, Height: j.Height, Block: block}, true)
			m.askTemplate()
		}()
	}
}

func (m *Miner) hasherState(name string) *hasherState {
	for _, hs := range m.hashers {
		if hs.h.Name() == name {
			return hs
		}
	}
	return nil
}

func (m *Miner) askTemplate() {
	select {
	case m.refetch <- struct{}{}:
	default:
	}
}

// deliver journals (when fresh), submits and confirms one block. A block
// is never dropped: until the node has answered it is retried, and if the
// program stops first it stays pending in the journal.
func (m *Miner) deliver(ctx context.Context, b PendingBlock, fresh bool) {
	if fresh && m.journal != nil {
		err := m.journal.Append(JournalEntry{
			Hash: b.Hash.String(), Height: b.Height, PrevHash: b.PrevHash.String(), At: time.Now(),
			State: "found", Block: hex.EncodeToString(b.Block),
		})
		if err != nil {
			// Submitting matters more than the journal; say so loudly.
			m.emit(EventBlockFound, slog.LevelError, "could not journal the found block; submitting anyway",
				slog.String("hash", b.Hash.String()), slog.String("err", err.Error()))
		}
	}
	bo := newBackoff()
	var res SubmitResult
	for {
		c, cancel := context.WithTimeout(ctx, 60*time.Second)
		r, err := m.cfg.Node.SubmitBlock(c, b.Block)
		cancel()
		if err == nil {
			res = r
			break
		}
		if ctx.Err() != nil {
			m.log.Warn("stopped before the node answered; the block stays in the journal", "hash", b.Hash.String())
			return
		}
		m.emit(EventSubmit, slog.LevelWarn, "submitblock failed; retrying",
			slog.String("hash", b.Hash.String()), slog.String("err", err.Error()))
		select {
		case <-ctx.Done():
			return
		case <-time.After(bo.next()):
		}
	}
	m.record(b, "submitted", res.Outcome, res.Reason)
	lvl := slog.LevelInfo
	if !res.Outcome.Has() {
		lvl = slog.LevelError
	}
	m.emit(EventSubmit, lvl, "block submitted",
		slog.Int64("height", b.Height), slog.String("hash", b.Hash.String()),
		slog.String("outcome", res.Outcome.String()), slog.String("reason", res.Reason))
	m.setBlock(b.Hash, func(f *FoundBlock) { f.Pending = false; f.Outcome = res.Outcome; f.Reason = res.Reason })
	if !res.Outcome.Has() {
		m.mineOnAgain(b.PrevHash) // rejected
		return
	}
	// Confirm with the node: on its best chain?
	for i := 0; i < 5; i++ {
		c, cancel := context.WithTimeout(ctx, 10*time.Second)
		st, err := m.cfg.Node.BlockStatus(c, b.Hash)
		cancel()
		if err == nil && st.InBestChain {
			m.record(b, "confirmed", res.Outcome, "")
			m.setBlock(b.Hash, func(f *FoundBlock) { f.Confirmed = true })
			m.mu.Lock()
			m.blocksConfirmed++
			m.mu.Unlock()
			m.emit(EventConfirm, slog.LevelInfo, "block confirmed on the node's best chain",
				slog.Int64("height", b.Height), slog.String("hash", b.Hash.String()))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(i+1) * 500 * time.Millisecond):
		}
	}
	m.emit(EventConfirm, slog.LevelWarn, "block is not on the node's best chain",
		slog.Int64("height", b.Height), slog.String("hash", b.Hash.String()))
	// The node does not build on it (btcd answers null even for an orphan):
	// should its parent still be the tip, it needs another block.
	m.mineOnAgain(b.PrevHash)
}

// mineOnAgain lets hashers find (and the miner submit) another block on
// parent: ours there was rejected or is not on the node's best chain.
func (m *Miner) mineOnAgain(parent chainhash.Hash) {
	m.mu.Lock()
	delete(m.foundOn, parent)
	if m.hold == parent {
		m.holdUntil = time.Time{}
	}
	m.mu.Unlock()
	m.askTemplate()
}

func (m *Miner) record(b PendingBlock, state string, o SubmitOutcome, reason string) {
	if m.journal == nil {
		return
	}
	err := m.journal.Append(JournalEntry{Hash: b.Hash.String(), Height: b.Height, PrevHash: b.PrevHash.String(),
		At: time.Now(), State: state, Outcome: o.String(), Reason: reason})
	if err != nil {
		m.log.Warn("could not write the journal", "err", err)
	}
}

// maxBlocks bounds the found blocks a snapshot carries (regtest finds
// thousands); the journal keeps them all.
const maxBlocks = 100

// addBlock records a found block; m.mu must be held.
func (m *Miner) addBlock(b FoundBlock) {
	if len(m.blocks) >= maxBlocks {
		m.blocks = append(m.blocks[:0], m.blocks[len(m.blocks)-maxBlocks+1:]...)
	}
	m.blocks = append(m.blocks, b)
	m.blocksFound++
}

func (m *Miner) setBlock(h chainhash.Hash, f func(*FoundBlock)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.blocks {
		if m.blocks[i].Hash == h {
			f(&m.blocks[i])
		}
	}
}

// replayJournal submits again the journalled blocks whose parent is still
// the node's tip: those never accepted, and those the node accepted but has
// since lost (a crash before they reached its disk).
func (m *Miner) replayJournal(ctx context.Context) {
	if m.journal == nil {
		return
	}
	pending, err := m.journal.Blocks()
	if err != nil || len(pending) == 0 {
		if err != nil {
			m.log.Warn("could not read the journal", "err", err)
		}
		return
	}
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	info, err := m.cfg.Node.Info(c)
	cancel()
	if err != nil {
		return
	}
	for _, b := range pending {
		if b.PrevHash != info.BestHash {
			continue
		}
		if b.Done {
			c, cancel := context.WithTimeout(ctx, 10*time.Second)
			st, err := m.cfg.Node.BlockStatus(c, b.Hash)
			cancel()
			if err != nil || st.Known {
				continue
			}
		}
		m.emit(EventSubmit, slog.LevelInfo, "resubmitting a journalled block",
			slog.Int64("height", b.Height), slog.String("hash", b.Hash.String()))
		m.mu.Lock()
		m.addBlock(FoundBlock{Height: b.Height, Hash: b.Hash, At: time.Now(), Pending: true})
		m.mu.Unlock()
		m.deliver(ctx, b, false)
	}
}
