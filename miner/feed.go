package miner

import (
	"context"
	"sync"
)

// Feed hands the current job to hashers. The miner publishes; hashers read
// Current between nonce batches or wait in Next. Publishing never blocks.
// A nil job means there is no work (node down or syncing, or paused).
type Feed struct {
	mu      sync.Mutex
	cur     *Job
	changed chan struct{}
}

// NewFeed returns an empty feed.
func NewFeed() *Feed { return &Feed{changed: make(chan struct{})} }

// Publish makes j the current job (nil for none) and marks the previous one
// stale.
func (f *Feed) Publish(j *Job) {
	f.mu.Lock()
	old := f.cur
	f.cur = j
	ch := f.changed
	f.changed = make(chan struct{})
	f.mu.Unlock()
	if old != nil && old != j {
		old.markStale()
	}
	close(ch)
}

// Current returns the current job, nil when there is none.
func (f *Feed) Current() *Job {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cur
}

// Next waits until the current job is non-nil and differs from after, and
// returns it; it returns ctx.Err() when ctx is done first.
func (f *Feed) Next(ctx context.Context, after *Job) (*Job, error) {
	for {
		f.mu.Lock()
		cur, ch := f.cur, f.changed
		f.mu.Unlock()
		if cur != nil && cur != after {
			return cur, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
