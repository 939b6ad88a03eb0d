package miner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// BestFile is the name of the all-time best share record in the data
// directory.
const BestFile = "best.json"

// ladderRungs are the share difficulties the ladder counts.
var ladderRungs = []float64{1, 1e3, 1e6, 1e9, 1e12, 1e15}

// bests tracks best shares and the ladder. It is owned by the miner's
// solution goroutine; the sampler reads copies under the miner's lock.
type bests struct {
	session, block, allTime Share
	allTimeSince            time.Time
	top                     []Share
	ladder                  []Rung
	shares                  uint64
	last                    time.Time // when the latest share arrived
	path                    string    // "" = not persisted
}

type bestRecord struct {
	Difficulty float64   `json:"difficulty"`
	Hash       string    `json:"hash"`
	At         time.Time `json:"at"`
	Height     int64     `json:"height"`
	Source     string    `json:"source"`
	Since      time.Time `json:"since"`
	Network    string    `json:"network"`
}

func newBests(dir, network string, now time.Time) (*bests, error) {
	b := &bests{allTimeSince: now}
	for _, d := range ladderRungs {
		b.ladder = append(b.ladder, Rung{Difficulty: d})
	}
	if dir == "" {
		return b, nil
	}
	b.path = filepath.Join(dir, BestFile)
	raw, err := os.ReadFile(b.path)
	if os.IsNotExist(err) {
		return b, nil
	}
	if err != nil {
		return nil, fmt.Errorf("best share record: %w", err)
	}
	var r bestRecord
	if err := json.Unmarshal(raw, &r); err != nil {
		// A damaged record must not stop mining; start afresh.
		return b, nil
	}
	h, _ := chainhash.NewHashFromStr(r.Hash)
	if h != nil {
		b.allTime = Share{Difficulty: r.Difficulty, Hash: *h, At: r.At, Height: r.Height, Source: r.Source}
	}
	if !r.Since.IsZero() {
		b.allTimeSince = r.Since
	}
	return b, nil
}

// add records a share and reports whether it set a new all-time best.
func (b *bests) add(s Share) (allTime bool, err error) {
	b.shares++
	b.last = s.At
	for i := range b.ladder {
		if s.Difficulty >= b.ladder[i].Difficulty {
			b.ladder[i].Count++
		}
	}
	if s.Difficulty > b.session.Difficulty {
		b.session = s
	}
	if s.Difficulty > b.block.Difficulty {
		b.block = s
	}
	if len(b.top) < 10 || s.Difficulty > b.top[len(b.top)-1].Difficulty {
		b.top = append(b.top, s)
		sort.SliceStable(b.top, func(i, j int) bool { return b.top[i].Difficulty > b.top[j].Difficulty })
		if len(b.top) > 10 {
			b.top = b.top[:10]
		}
	}
	if s.Difficulty > b.allTime.Difficulty {
		b.allTime = s
		return true, b.save()
	}
	return false, nil
}

func (b *bests) newBlock() { b.block = Share{} }

func (b *bests) resetAllTime(now time.Time) error {
	b.allTime = Share{}
	b.allTimeSince = now
	return b.save()
}

func (b *bests) save() error {
	if b.path == "" {
		return nil
	}
	r := bestRecord{
		Difficulty: b.allTime.Difficulty, At: b.allTime.At, Height: b.allTime.Height,
		Source: b.allTime.Source, Since: b.allTimeSince,
	}
	if b.allTime.Difficulty > 0 {
		r.Hash = b.allTime.Hash.String()
	}
	raw, _ := json.MarshalIndent(r, "", "  ")
	tmp := b.path + ".tmp"
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return fmt.Errorf("best share record: %w", err)
	}
	if err := os.Rename(tmp, b.path); err != nil {
		return fmt.Errorf("best share record: %w", err)
	}
	return nil
}

func (b *bests) view() (BestShares, []Rung, uint64) {
	return BestShares{
		Session: b.session, Block: b.block, AllTime: b.allTime, AllTimeSince: b.allTimeSince,
		Top: append([]Share(nil), b.top...),
	}, append([]Rung(nil), b.ladder...), b.shares
}
