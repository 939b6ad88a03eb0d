package usbasic

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// bm1384Driver drives BM1384 chains (Compac, 2Pac, Terminus) with the raw
// 4-byte command set and 64-byte works (usb-asic-protocols.md §6.5).
type bm1384Driver struct {
	*link
	model  Model
	target float64
	chips  int
	id     byte
	tk     int
	ping0  int
}

const (
	bm1384MaxK          = 8
	bm1384OpenCoreTasks = 57
)

func (d *bm1384Driver) init(ctx context.Context) (int, error) {
	if err := d.port.Purge(); err != nil && !errors.Is(err, ErrNotSupported) {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if err := sleep(ctx, 50*time.Millisecond); err != nil {
		return 0, err
	}
	if err := d.drain(); err != nil {
		return 0, err
	}
	if err := d.write(proto.BM1384Cmd(proto.BM1384ReadRegAll, 0, 0, 0)); err != nil {
		return 0, err
	}
	rs, err := d.collect(ctx, time.Second, 50*time.Millisecond)
	if err != nil {
		return 0, err
	}
	chips := 0
	for _, r := range rs {
		if !r.Nonce && r.Data[0] == 0x13 {
			chips++
		}
	}
	if chips == 0 {
		return 0, fmt.Errorf("no BM1384 answered the chip-id read")
	}
	d.chips = chips
	if err := d.address(ctx); err != nil {
		return 0, err
	}
	d.tk = ticketFor(d.model.ExpectedRate(d.target, chips), bm1384MaxK)
	for i := 0; i < bm1384OpenCoreTasks; i++ {
		if err := d.write(proto.WorkFrame(&proto.Work{ID: byte(i % 32)})); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return chips, d.drain()
}

// address sends chain inactive and one set-address per chip.
func (d *bm1384Driver) address(ctx context.Context) error {
	if err := d.write(proto.BM1384Cmd(proto.BM1384ChainInactive, 0, 0, 0)); err != nil {
		return err
	}
	if err := sleep(ctx, 5*time.Millisecond); err != nil {
		return err
	}
	for i := 0; i < d.chips; i++ {
		if err := d.write(proto.BM1384Cmd(proto.BM1384SetAddress, chipAddress(i, d.chips), 0, 0)); err != nil {
			return err
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// setFreq sends the PLL code, reads register 4 back and re-addresses the
// chain, as cgminer does at each ramp step.
func (d *bm1384Driver) setFreq(ctx context.Context, mhz float64) (float64, error) {
	code, f := proto.BM1384FreqCode(mhz)
	if err := d.write(proto.BM1384FreqFrame(code)); err != nil {
		return 0, err
	}
	if err := sleep(ctx, 10*time.Millisecond); err != nil {
		return 0, err
	}
	if err := d.write(proto.BM1384Cmd(proto.BM1384ReadRegAll, 0, 4, 0)); err != nil {
		return 0, err
	}
	if err := sleep(ctx, 10*time.Millisecond); err != nil {
		return 0, err
	}
	return f, d.address(ctx)
}

func (d *bm1384Driver) freqStep() float64 { return 6.25 }

func (d *bm1384Driver) midstates(uint32) int { return 1 }

// nextID cycles work ids 0x10..0x1F.
func (d *bm1384Driver) nextID() byte {
	d.id++
	if d.id < 0x10 || d.id > 0x1F {
		d.id = 0x10
	}
	return d.id
}

// accept refuses work whose first bytes would read as a command: the chip
// tells the two apart by content (§11.1), so such work is re-rolled.
func (d *bm1384Driver) accept(sl *slot) bool {
	f := sl.mids[0].Field()
	return !proto.IsBM1384Cmd(f[:4])
}

func (d *bm1384Driver) send(sl *slot) error {
	mask := byte(1<<uint(d.tk) - 1)
	hcn := uint32(0xFFFFFFFF / uint32(max(d.chips, 1)))
	return d.write(proto.WorkFrame(&proto.Work{Midstate: sl.mids[0], Ticket: mask, HCN: hcn, ID: sl.id, Tail: sl.tail}))
}

func (d *bm1384Driver) candidates(r *proto.Reply) []cand {
	id := r.JobID & 0x1F
	prev := id - 1
	if prev < 0x10 {
		prev = 0x1F
	}
	return []cand{{id, 0}, {prev, 0}}
}

// ping reads register 4 of one chip per call.
func (d *bm1384Driver) ping() error {
	if d.chips == 0 {
		return nil
	}
	addr := chipAddress(d.ping0%d.chips, d.chips)
	d.ping0++
	return d.write(proto.BM1384Cmd(proto.BM1384ReadReg, addr, 4, 0))
}

func (d *bm1384Driver) pings() bool { return true }

func (d *bm1384Driver) ticketBits() int { return d.tk }

// rotate: half a pass over the chain's nonce range.
func (d *bm1384Driver) rotate(mhz float64, chips, mids int) time.Duration {
	return bmRotate(mhz*1e6*proto.BM1384Cores*float64(max(chips, 1)), 1)
}

// badNonce drops buffered bytes after a nonce that does not hash: replies
// carry no CRC, so a bad one most likely means the stream is misaligned.
func (d *bm1384Driver) badNonce() { d.sc.Flush() }
