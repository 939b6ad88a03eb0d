package miner

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// JournalFile is the name of the found-block journal in the data directory.
const JournalFile = "blocks.jsonl"

// JournalEntry is one line of the found-block journal. A block is written
// (and fsynced) with State "found" before it is submitted; every outcome
// appends another line for the same hash.
type JournalEntry struct {
	Hash     string    `json:"hash"`
	Height   int64     `json:"height"`
	PrevHash string    `json:"prev"`
	At       time.Time `json:"at"`
	// State is "found", "submitted", "confirmed" or "error".
	State   string `json:"state"`
	Outcome string `json:"outcome,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Block is the serialized block in hex; present on the "found" line.
	Block string `json:"block,omitempty"`
}

// Journal is an append-only, fsynced record of found blocks. Safe for
// concurrent use.
type Journal struct {
	mu   sync.Mutex
	path string
}

// OpenJournal opens (creating if needed) the journal in dir.
func OpenJournal(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	j := &Journal{path: filepath.Join(dir, JournalFile)}
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return j, f.Close()
}

// Path returns the journal file's path.
func (j *Journal) Path() string { return j.path }

// Append writes e as one line and fsyncs the file before returning.
func (j *Journal) Append(e JournalEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.OpenFile(j.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("journal: %w", err)
	}
	return f.Close()
}

// PendingBlock is a journalled block.
type PendingBlock struct {
	Hash     chainhash.Hash
	PrevHash chainhash.Hash
	Height   int64
	Block    []byte
	// Done is true once an accepting outcome (accepted, duplicate or
	// confirmed) is recorded.
	Done bool
}

// Pending returns the journalled blocks with no accepting outcome recorded,
// oldest first.
func (j *Journal) Pending() ([]PendingBlock, error) {
	all, err := j.Blocks()
	var out []PendingBlock
	for _, b := range all {
		if !b.Done {
			out = append(out, b)
		}
	}
	return out, err
}

// Blocks returns every journalled block, oldest first. A torn last line (a
// crash mid-write) is ignored.
func (j *Journal) Blocks() ([]PendingBlock, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	f, err := os.Open(j.path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, fmt.Errorf("journal: %w", err)
	}
	defer f.Close()
	var order []string
	found := map[string]PendingBlock{}
	done := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 32<<20)
	for sc.Scan() {
		var e JournalEntry
		if json.Unmarshal(sc.Bytes(), &e) != nil {
			continue
		}
		switch {
		case e.State == "found" && e.Block != "":
			raw, err := hex.DecodeString(e.Block)
			if err != nil {
				continue
			}
			h, err1 := chainhash.NewHashFromStr(e.Hash)
			p, err2 := chainhash.NewHashFromStr(e.PrevHash)
			if err1 != nil || err2 != nil {
				continue
			}
			if _, ok := found[e.Hash]; !ok {
				order = append(order, e.Hash)
			}
			found[e.Hash] = PendingBlock{Hash: *h, PrevHash: *p, Height: e.Height, Block: raw}
		case e.State == "confirmed",
			e.State == "submitted" && (e.Outcome == SubmitAccepted.String() || e.Outcome == SubmitDuplicate.String()):
			done[e.Hash] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	out := make([]PendingBlock, 0, len(order))
	for _, h := range order {
		b := found[h]
		b.Done = done[h]
		out = append(out, b)
	}
	return out, nil
}
