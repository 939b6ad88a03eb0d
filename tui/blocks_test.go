package tui

import (
	"testing"

	"github.com/soloist-miner/soloist/miner"
)

// The miner sends only the latest blocks; a new block must still ring and
// show the banner when that list is full.
func TestBannerWhenTheBlockListIsFull(t *testing.T) {
	m := NewModel(Options{})
	s := miner.Snapshot{BlocksFound: 150, Blocks: make([]miner.FoundBlock, 100)}
	next, _ := m.onSnapshot(s)
	m = next.(Model)
	if !m.bannerShown() {
		t.Fatal("no banner for 150 blocks")
	}
	m.dismissed = foundCount(m.snap)
	s.BlocksFound = 151 // one more; the list stays at 100
	next, _ = m.onSnapshot(s)
	m = next.(Model)
	if !m.bannerShown() || m.announced != 151 {
		t.Fatalf("banner %v, announced %d after the 151st block", m.bannerShown(), m.announced)
	}
}
