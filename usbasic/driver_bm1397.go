package usbasic

import (
	"context"
	"fmt"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// bm1397Driver drives BM1397 chains (Compac F, R909) as cgminer's gekko
// driver does (usb-asic-protocols.md §4.10-4.11).
type bm1397Driver struct {
	*link
	model  Model
	target float64
	chips  int
	id     byte
	tk     int
}

// bm1397BaudDiv is the chip UART divisor after init: 1 → 1.5625 MBd, with
// the FT230X at 1.5 MBd (divisor 2).
const (
	bm1397BaudDiv  = 1
	bm1397HostBaud = 1500000
	bm1397MaxK     = 8
)

func (d *bm1397Driver) init(ctx context.Context) (int, error) {
	rs, err := d.resetAndQuery(ctx, d.model, proto.BM1397ReadRegFrame(true, 0, proto.BM1397RegChipAddress))
	if err != nil {
		return 0, err
	}
	chips := 0
	for _, r := range rs {
		if !r.Nonce && r.Reg == proto.BM1397RegChipAddress && r.Value()>>16 == proto.BM1397ChipID {
			chips++
		}
	}
	if chips == 0 {
		return 0, fmt.Errorf("no BM1397 answered the chip-id read")
	}
	if d.model.ChipsExact && chips != d.model.Chips {
		return 0, fmt.Errorf("%d BM1397 chips answered, the %s has %d", chips, d.model.Title, d.model.Chips)
	}
	d.chips = chips
	steps := []struct {
		f    []byte
		wait time.Duration
	}{
		{proto.BM1397ChainInactiveFrame(), 100 * time.Millisecond},
		{proto.BM1397ChainInactiveFrame(), 100 * time.Millisecond},
		{proto.BM1397ChainInactiveFrame(), 100 * time.Millisecond},
	}
	for i := 0; i < chips; i++ {
		steps = append(steps, struct {
			f    []byte
			wait time.Duration
		}{proto.BM1397SetAddressFrame(chipAddress(i, chips)), 10 * time.Millisecond})
	}
	rate := d.model.ExpectedRate(d.target, chips)
	d.tk = ticketFor(rate, bm1397MaxK)
	for _, st := range []struct {
		reg  byte
		v    uint32
		wait time.Duration
	}{
		{proto.BM1397RegClockOrder0, 0, 10 * time.Millisecond},
		{proto.BM1397RegClockOrder1, 0, 100 * time.Millisecond},
		{proto.BM1397RegOrderedClock, 1, 50 * time.Millisecond},
		{proto.BM1397RegCoreRegCtrl, 0x80008074, 100 * time.Millisecond},
		{proto.BM1397RegTicketMask, proto.TicketMask(d.tk), 20 * time.Millisecond},
		{proto.BM1397RegPLL3, 0xC0700111, 50 * time.Millisecond},
		{proto.BM1397RegPLL3, 0xC0700111, 50 * time.Millisecond},
		{proto.BM1397RegFastUART, 0x0600000F, 100 * time.Millisecond},
		{proto.BM1397RegMiscControl, proto.BM1397MiscBaud(bm1397BaudDiv), 10 * time.Millisecond},
	} {
		steps = append(steps, struct {
			f    []byte
			wait time.Duration
		}{proto.BM1397WriteRegFrame(true, 0, st.reg, st.v), st.wait})
	}
	for _, st := range steps {
		if err := d.write(st.f); err != nil {
			return 0, err
		}
		if err := sleep(ctx, st.wait); err != nil {
			return 0, err
		}
	}
	if err := d.port.SetBaud(bm1397HostBaud); err != nil {
		return 0, fmt.Errorf("set bridge baud: %w", err)
	}
	if err := sleep(ctx, 10*time.Millisecond); err != nil {
		return 0, err
	}
	return chips, d.drain()
}

func (d *bm1397Driver) setFreq(ctx context.Context, mhz float64) (float64, error) {
	p := proto.BM1397PLL(mhz)
	div := proto.BM1397WriteRegFrame(true, 0, proto.BM1397RegPLL0Divider, proto.BM1397PLLDividerValue)
	pll := proto.BM1397WriteRegFrame(true, 0, proto.BM1397RegPLL0, proto.BM1397PLLValue(p))
	for _, f := range [][]byte{div, div, pll, pll} {
		if err := d.write(f); err != nil {
			return 0, err
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return 0, err
		}
	}
	if err := d.write(proto.BM1397ReadRegFrame(true, 0, proto.BM1397RegPLL0)); err != nil {
		return 0, err
	}
	return p.MHz(), nil
}

func (d *bm1397Driver) freqStep() float64 { return 5 }

func (d *bm1397Driver) midstates(mask uint32) int { return midstatesFor(mask) }

// nextID steps job ids by 4 within 0x10..0x7C (the low 2 bits carry the
// midstate index in replies).
func (d *bm1397Driver) nextID() byte {
	d.id += 4
	if d.id < 0x10 || d.id > 0x7C {
		d.id = 0x10
	}
	return d.id
}

func (d *bm1397Driver) send(sl *slot) error {
	f, err := proto.BM1397JobFrame(&proto.Job{ID: sl.id, Tail: sl.tail, Midstates: sl.mids})
	if err != nil {
		return err
	}
	return d.write(f)
}

// candidates: the named job and midstate first, then (as cgminer's "nonce
// recovered" search) the three previous jobs with every midstate.
func (d *bm1397Driver) candidates(r *proto.Reply) []cand {
	id, mid := r.JobID&0xFC, int(r.JobID&3)
	out := []cand{{id, mid}}
	for m := 0; m < 4; m++ {
		if m != mid {
			out = append(out, cand{id, m})
		}
	}
	for back := byte(1); back <= 3; back++ {
		prev := id - 4*back
		if prev < 0x10 {
			prev += 0x70
		}
		for m := 0; m < 4; m++ {
			out = append(out, cand{prev, m})
		}
	}
	return out
}

// ping reads PLL0 of every chip.
func (d *bm1397Driver) ping() error {
	return d.write(proto.BM1397ReadRegFrame(true, 0, proto.BM1397RegPLL0))
}

func (d *bm1397Driver) pings() bool { return true }

func (d *bm1397Driver) ticketBits() int { return d.tk }

// rotate: min(0.5 × midstates × fullscan, 3 × fullscan), fullscan being one
// pass over the chain's nonce range (cgminer compac_update_rates).
func (d *bm1397Driver) rotate(mhz float64, chips, mids int) time.Duration {
	return bmRotate(mhz*1e6*proto.BM1397Cores*float64(max(chips, 1)), mids)
}

func bmRotate(rate float64, mids int) time.Duration {
	if rate <= 0 {
		return time.Second
	}
	full := float64(1<<32) / rate
	t := min(0.5*float64(mids)*full, 3*full)
	return max(time.Duration(t*float64(time.Second)), 2*time.Millisecond)
}
