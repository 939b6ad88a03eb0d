package usbasic

import (
	"context"
	"fmt"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// bm1387Driver drives BM1387 chains (NewPac, R606) as cgminer's gekko driver
// does (usb-asic-protocols.md §5.5).
type bm1387Driver struct {
	*link
	model  Model
	target float64
	chips  int
	id     byte
	ping0  int // next chip to ping
}

const (
	bm1387BaudDiv  = 1
	bm1387HostBaud = 1500000
	// bm1387SetTicket: cgminer never programs the BM1387 ticket register
	// (0x18) on GekkoScience sticks, and its encoding is not confirmed on
	// silicon, so the chips stay at difficulty 1. Set true to program it
	// with the BM1397 encoding.
	bm1387SetTicket = false
	bm1387MaxK      = 6
	// bm1387OpenCoreJobs is the number of busy-work jobs sent at start-up
	// to open the cores (cgminer's MINER_OPEN_CORE).
	bm1387OpenCoreJobs = 116
)

func (d *bm1387Driver) init(ctx context.Context) (int, error) {
	rs, err := d.resetAndQuery(ctx, d.model, proto.BM1387ReadRegFrame(true, 0, proto.BM1387RegChipAddress))
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
		return 0, fmt.Errorf("no BM1387 answered the chip-id read")
	}
	if d.model.ChipsExact && chips != d.model.Chips {
		return 0, fmt.Errorf("%d BM1387 chips answered, the %s has %d", chips, d.model.Title, d.model.Chips)
	}
	d.chips = chips
	for i := 0; i < 3; i++ {
		if err := d.write(proto.BM1387ChainInactiveFrame()); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return 0, err
		}
	}
	for i := 0; i < chips; i++ {
		if err := d.write(proto.BM1387SetAddressFrame(chipAddress(i, chips))); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 5*time.Millisecond); err != nil {
			return 0, err
		}
	}
	if bm1387SetTicket {
		if err := d.write(proto.BM1387WriteRegFrame(true, 0, proto.BM1387RegTicketMask, proto.TicketMask(d.ticketBits()))); err != nil {
			return 0, err
		}
	}
	if err := sleep(ctx, 10*time.Millisecond); err != nil {
		return 0, err
	}
	if err := d.write(proto.BM1387WriteRegFrame(true, 0, proto.BM1387RegMisc, proto.BM1387MiscBaud(bm1387BaudDiv, false))); err != nil {
		return 0, err
	}
	if err := sleep(ctx, 10*time.Millisecond); err != nil {
		return 0, err
	}
	if err := d.port.SetBaud(bm1387HostBaud); err != nil {
		return 0, fmt.Errorf("set bridge baud: %w", err)
	}
	if err := sleep(ctx, 10*time.Millisecond); err != nil {
		return 0, err
	}
	if err := d.write(proto.BM1387WriteRegFrame(true, 0, proto.BM1387RegMisc, proto.BM1387MiscBaud(bm1387BaudDiv, true))); err != nil {
		return 0, err
	}
	// Open the cores with busy work, 10 ms apart.
	for i := 0; i < bm1387OpenCoreJobs; i++ {
		f, _ := proto.BM1387JobFrame(&proto.Job{ID: byte(i), Tail: proto.BusyWorkTail, Midstates: []proto.Midstate{{}}})
		if err := d.write(f); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
	return chips, d.drain()
}

func (d *bm1387Driver) setFreq(ctx context.Context, mhz float64) (float64, error) {
	p := proto.BM1387PLL(mhz)
	if err := d.write(proto.BM1387WriteRegFrame(true, 0, proto.BM1387RegPLL, proto.BM1387PLLValue(p))); err != nil {
		return 0, err
	}
	return p.MHz(), sleep(ctx, 10*time.Millisecond)
}

func (d *bm1387Driver) freqStep() float64 { return 6.25 }

func (d *bm1387Driver) midstates(mask uint32) int { return midstatesFor(mask) }

// nextID steps job ids by 1 within 0x10..0x7F; a nonce of midstate i comes
// back with id + i.
func (d *bm1387Driver) nextID() byte {
	d.id++
	if d.id < 0x10 || d.id > 0x7F {
		d.id = 0x10
	}
	return d.id
}

func (d *bm1387Driver) send(sl *slot) error {
	f, err := proto.BM1387JobFrame(&proto.Job{ID: sl.id, Tail: sl.tail, Midstates: sl.mids})
	if err != nil {
		return err
	}
	return d.write(f)
}

// candidates: returned id J is job J−i with midstate i.
func (d *bm1387Driver) candidates(r *proto.Reply) []cand {
	out := make([]cand, 0, 4)
	for i := 0; i < 4; i++ {
		id := r.JobID - byte(i)
		if id < 0x10 {
			id += 0x70
		}
		out = append(out, cand{id, i})
	}
	return out
}

// ping reads the PLL of one chip per call, in turn.
func (d *bm1387Driver) ping() error {
	if d.chips == 0 {
		return nil
	}
	addr := chipAddress(d.ping0%d.chips, d.chips)
	d.ping0++
	return d.write(proto.BM1387ReadRegFrame(false, addr, proto.BM1387RegPLL))
}

func (d *bm1387Driver) pings() bool { return true }

func (d *bm1387Driver) ticketBits() int {
	if !bm1387SetTicket {
		return 0
	}
	return ticketFor(d.model.ExpectedRate(d.target, d.chips), bm1387MaxK)
}

func (d *bm1387Driver) rotate(mhz float64, chips, mids int) time.Duration {
	return bmRotate(mhz*1e6*proto.BM1387Cores*float64(max(chips, 1)), mids)
}
