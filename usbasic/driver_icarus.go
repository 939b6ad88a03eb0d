package usbasic

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// icarusDriver drives Icarus-protocol sticks (Block Erupter): 64-byte works,
// 4-byte nonce replies, no commands (usb-asic-protocols.md §7).
type icarusDriver struct {
	*link
	model Model
	id    byte
}

// icarusGoldenWait is how long the golden work may take to answer (cgminer
// allows 300 ms; the nonce is found after about 0.3 ms of hashing).
const icarusGoldenWait = 500 * time.Millisecond

func (d *icarusDriver) init(ctx context.Context) (int, error) {
	if err := d.port.Purge(); err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if err := d.drain(); err != nil {
		return 0, err
	}
	ok, err := d.probe(ctx)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("the golden work got no golden nonce")
	}
	return 1, nil
}

// probe sends the golden work and waits for its nonce.
func (d *icarusDriver) probe(ctx context.Context) (bool, error) {
	if err := d.write(proto.IcarusGoldenWork); err != nil {
		return false, err
	}
	deadline := time.Now().Add(icarusGoldenWait)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		rs, err := d.read(20 * time.Millisecond)
		if err != nil {
			return false, err
		}
		for _, r := range rs {
			if bytes.Equal(r.Data[:], proto.IcarusGoldenNonce[:]) {
				return true, nil
			}
		}
	}
	return false, ctx.Err()
}

func (d *icarusDriver) setFreq(context.Context, float64) (float64, error) { return 0, nil }
func (d *icarusDriver) freqStep() float64                                 { return 0 }
func (d *icarusDriver) midstates(uint32) int                              { return 1 }

// nextID alternates between two slots: the current work and the one before
// (a nonce in flight when new work is sent belongs to the old one).
func (d *icarusDriver) nextID() byte {
	d.id ^= 1
	return d.id
}

func (d *icarusDriver) send(sl *slot) error {
	d.sc.Flush()
	return d.write(proto.WorkFrame(&proto.Work{Midstate: sl.mids[0], Tail: sl.tail}))
}

func (d *icarusDriver) candidates(*proto.Reply) []cand {
	return []cand{{d.id, 0}, {d.id ^ 1, 0}}
}

func (d *icarusDriver) ping() error     { return ErrNotSupported }
func (d *icarusDriver) pings() bool     { return false }
func (d *icarusDriver) ticketBits() int { return 0 }

// rotate: the full range minus cgminer's read margin (150 ms).
func (d *icarusDriver) rotate(float64, int, int) time.Duration {
	full := time.Duration(float64(1<<32) / d.model.FixedRate * float64(time.Second))
	return max(full-150*time.Millisecond, time.Second)
}

// badNonce drops buffered bytes after a nonce that does not hash: replies
// carry no CRC, so a bad one most likely means the stream is misaligned.
func (d *icarusDriver) badNonce() { d.sc.Flush() }
