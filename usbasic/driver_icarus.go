package usbasic

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// icarusDriver drives Icarus-protocol sticks (usb-asic-protocols.md §7):
// 64-byte works and 4-byte nonce replies for the Block Erupter; for the
// AntMiner U1/U2/U3 5-byte replies carrying the work id of byte 51, and the
// BM138x clock (and U3 voltage) commands on the same line.
type icarusDriver struct {
	*link
	model  Model
	target float64
	id     byte
}

const (
	// icarusGoldenWait is how long the golden work may take to answer
	// (cgminer allows 300 ms; the nonce is found after about 0.3 ms).
	icarusGoldenWait = 500 * time.Millisecond
	// antminerIDs: work ids cycle 0..0x1E, as in cgminer.
	antminerIDs = 0x1F
)

func (d *icarusDriver) antminer() bool { return d.model.Antminer > 0 }

func (d *icarusDriver) init(ctx context.Context) (int, error) {
	if err := d.port.Purge(); err != nil && !errors.Is(err, ErrNotSupported) {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if err := d.drain(); err != nil {
		return 0, err
	}
	if d.antminer() {
		if mv := d.model.VoltageMV; mv > 0 {
			if err := d.write(proto.VoltageFrame(mv)); err != nil {
				return 0, err
			}
			if err := sleep(ctx, 500*time.Millisecond); err != nil {
				return 0, err
			}
		}
		if _, err := d.setFreq(ctx, d.target); err != nil {
			return 0, err
		}
	}
	ok, err := d.probe(ctx)
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("the golden work got no golden nonce")
	}
	if !d.antminer() {
		// A fifth byte after the nonce means an AntMiner U (§7.4).
		extra := d.sc.Buffered()
		if extra == 0 {
			n, err := d.port.Read(d.buf, 30*time.Millisecond)
			if err != nil {
				return 0, fmt.Errorf("read from stick: %w", err)
			}
			extra = n
		}
		d.sc.Flush()
		if extra > 0 {
			return 0, fmt.Errorf("the stick answers with 5-byte replies: an AntMiner U, not a Block Erupter")
		}
	}
	return 1, nil
}

// probe sends the golden work and waits for its nonce (with work id 0 on an
// AntMiner).
func (d *icarusDriver) probe(ctx context.Context) (bool, error) {
	d.sc.Flush()
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
			if bytes.Equal(r.Data[:], proto.IcarusGoldenNonce[:]) && r.JobID == 0 {
				return true, nil
			}
		}
	}
	return false, ctx.Err()
}

// setFreq sends the AntMiner clock command (twice, as cgminer does); the
// Block Erupter has a fixed clock.
func (d *icarusDriver) setFreq(ctx context.Context, mhz float64) (float64, error) {
	if !d.antminer() {
		return 0, nil
	}
	var code uint16
	f := mhz
	if d.model.Antminer == 3 {
		code, f = proto.BM1384FreqCode(mhz) // BM1382
	} else {
		var ok bool
		if code, ok = proto.BM1380FreqCode(mhz); !ok {
			f = math.Floor(mhz/25) * 25
			code, _ = proto.BM1380FreqCode(f)
		}
	}
	for i := 0; i < 2; i++ {
		if err := d.write(proto.BM1384FreqFrame(code)); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return f, d.drain()
}

func (d *icarusDriver) freqStep() float64    { return 0 }
func (d *icarusDriver) midstates(uint32) int { return 1 }

// nextID: AntMiner work ids cycle 0..0x1E; the Block Erupter has none, so
// two slots alternate (a nonce in flight when new work goes out belongs to
// the old one).
func (d *icarusDriver) nextID() byte {
	if d.antminer() {
		d.id = (d.id + 1) % antminerIDs
		return d.id
	}
	d.id ^= 1
	return d.id
}

// accept: AntMiner works share the line with 4-byte commands (as BM1384).
func (d *icarusDriver) accept(sl *slot) bool {
	if !d.antminer() {
		return true
	}
	f := sl.mids[0].Field()
	return !proto.IsBM1384Cmd(f[:4])
}

func (d *icarusDriver) send(sl *slot) error {
	d.sc.Flush()
	w := proto.Work{Midstate: sl.mids[0], Tail: sl.tail}
	if d.antminer() {
		w.ID = sl.id
	}
	return d.write(proto.WorkFrame(&w))
}

func (d *icarusDriver) candidates(r *proto.Reply) []cand {
	if d.antminer() {
		return []cand{{r.JobID & 0x1F, 0}}
	}
	return []cand{{d.id, 0}, {d.id ^ 1, 0}}
}

func (d *icarusDriver) ping() error     { return ErrNotSupported }
func (d *icarusDriver) pings() bool     { return false }
func (d *icarusDriver) ticketBits() int { return 0 }

// rotate: 90 % of the time the stick takes for the whole range.
func (d *icarusDriver) rotate(mhz float64, chips, _ int) time.Duration {
	rate := d.model.ExpectedRate(mhz, chips)
	if rate <= 0 {
		return 10 * time.Second
	}
	full := time.Duration(float64(1<<32) / rate * float64(time.Second))
	return max(full*9/10, 10*time.Millisecond)
}

// badNonce drops buffered bytes after a nonce that does not hash: replies
// carry no CRC, so a bad one most likely means the stream is misaligned.
func (d *icarusDriver) badNonce() { d.sc.Flush() }
