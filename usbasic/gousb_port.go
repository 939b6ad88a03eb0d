//go:build cgo

package usbasic

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/google/gousb"
)

// Transfer timeouts of the gousb Port.
const (
	controlTimeout = time.Second
	writeTimeout   = 2 * time.Second
	readBufSize    = 8 * ftdiPacket // a whole number of packets (FTDI strips per packet)
)

// gousbPort is a Port over gousb: one claimed interface of one stick, with
// its bridge set up for the model.
type gousbPort struct {
	dev    *gousb.Device
	done   func() // releases the interface and config (re-attaches the kernel driver)
	in     *gousb.InEndpoint
	out    *gousb.OutEndpoint
	bridge Bridge
	where  string // "001/002" for messages

	raw     []byte // read buffer
	pending []byte // UART bytes read but not yet returned

	closeOnce sync.Once
	closeErr  error
}

var _ Port = (*gousbPort)(nil)

// newPort takes an opened device: it detaches the kernel serial driver,
// claims interface 0 and sends the bridge set-up for m. On error it closes
// dev.
func newPort(ctx context.Context, dev *gousb.Device, m Model) (_ Port, err error) {
	where := fmt.Sprintf("%03d/%03d", dev.Desc.Bus, dev.Desc.Address)
	defer func() {
		if err != nil {
			dev.Close()
		}
	}()
	dev.ControlTimeout = controlTimeout
	if err := dev.SetAutoDetach(true); err != nil {
		return nil, fmt.Errorf("usbasic: %s: detach kernel driver: %w", where, classify(err))
	}
	intf, done, err := dev.DefaultInterface()
	if err != nil {
		return nil, fmt.Errorf("usbasic: %s: claim interface: %w", where, classify(err))
	}
	defer func() {
		if err != nil {
			done()
		}
	}()
	p := &gousbPort{dev: dev, done: done, bridge: m.Bridge, where: where, raw: make([]byte, readBufSize)}
	for _, ep := range intf.Setting.Endpoints {
		if ep.TransferType != gousb.TransferTypeBulk {
			continue
		}
		switch {
		case ep.Direction == gousb.EndpointDirectionIn && p.in == nil:
			p.in, err = intf.InEndpoint(ep.Number)
		case ep.Direction == gousb.EndpointDirectionOut && p.out == nil:
			p.out, err = intf.OutEndpoint(ep.Number)
		}
		if err != nil {
			return nil, fmt.Errorf("usbasic: %s: endpoint %v: %w", where, ep.Address, err)
		}
	}
	if p.in == nil || p.out == nil {
		return nil, fmt.Errorf("usbasic: %s: interface 0 has no bulk IN and OUT endpoints", where)
	}
	seq, err := setupSequence(m)
	if err != nil {
		return nil, err
	}
	if err := p.send(ctx, seq); err != nil {
		return nil, fmt.Errorf("usbasic: %s: %s set-up: %w", where, m.Bridge, err)
	}
	return p, nil
}

// openAt opens the device at bus/address.
func openAt(uctx *gousb.Context, bus, address int) (*gousb.Device, error) {
	where := fmt.Sprintf("%03d/%03d", bus, address)
	devs, err := uctx.OpenDevices(func(d *gousb.DeviceDesc) bool { return d.Bus == bus && d.Address == address })
	for _, d := range devs[min(1, len(devs)):] {
		d.Close()
	}
	if len(devs) == 0 {
		if err == nil {
			return nil, fmt.Errorf("usbasic: %s: %w: not on the bus any more", where, ErrLost)
		}
		return nil, fmt.Errorf("usbasic: open %s: %w", where, classify(err))
	}
	return devs[0], nil
}

// send runs control requests in order, with their pauses.
func (p *gousbPort) send(ctx context.Context, seq []controlRequest) error {
	for _, r := range seq {
		if _, err := p.dev.Control(r.RequestType, r.Request, r.Value, r.Index, r.Data); err != nil {
			return fmt.Errorf("control %v: %w", r, classify(err))
		}
		if r.After > 0 {
			t := time.NewTimer(r.After)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				return ctx.Err()
			}
		}
	}
	return nil
}

// Write sends bytes to the chips.
func (p *gousbPort) Write(b []byte) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	n, err := p.out.WriteContext(ctx, b)
	if err != nil {
		return n, fmt.Errorf("usbasic: %s: write: %w", p.where, classify(err))
	}
	return n, nil
}

// Read returns the UART bytes that arrive within timeout, FTDI status bytes
// stripped; 0 and nil when none do.
func (p *gousbPort) Read(b []byte, timeout time.Duration) (int, error) {
	if len(p.pending) > 0 {
		n := copy(b, p.pending)
		p.pending = p.pending[n:]
		return n, nil
	}
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return 0, nil
		}
		ctx, cancel := context.WithTimeout(context.Background(), left)
		n, err := p.in.ReadContext(ctx, p.raw)
		cancel()
		data := p.raw[:n]
		if p.bridge == BridgeFT230X {
			data = stripFTDIStatus(data)
		}
		if len(data) > 0 {
			k := copy(b, data)
			p.pending = append(p.pending[:0], data[k:]...)
			return k, nil
		}
		switch {
		case err == nil:
			// An FTDI status-only packet: nothing yet.
		case isTimeout(err):
			return 0, nil
		default:
			return 0, fmt.Errorf("usbasic: %s: read: %w", p.where, classify(err))
		}
	}
}

// SetBaud sets the bridge's UART rate.
func (p *gousbPort) SetBaud(baud int) error {
	r, err := baudRequest(p.bridge, baud)
	if err != nil {
		return fmt.Errorf("usbasic: %s: %w", p.where, err)
	}
	if err := p.send(context.Background(), []controlRequest{r}); err != nil {
		return fmt.Errorf("usbasic: %s: set baud %d: %w", p.where, baud, err)
	}
	return nil
}

// ResetChips pulses CBUS1 (the chips' nRST) low for hold on FT230X sticks.
// It sends cgminer's whole reset sequence, so the bridge is also back at
// the power-on 115 384 baud, 8N1, buffers purged — the rate reset chips
// listen at.
func (p *gousbPort) ResetChips(hold time.Duration) error {
	if p.bridge != BridgeFT230X {
		return fmt.Errorf("usbasic: %s: reset line: %w", p.where, ErrNotSupported)
	}
	p.pending = p.pending[:0]
	if err := p.send(context.Background(), ftdiResetSequence(hold)); err != nil {
		return fmt.Errorf("usbasic: %s: reset chips: %w", p.where, err)
	}
	return nil
}

// Purge discards bytes queued in the bridge in both directions.
func (p *gousbPort) Purge() error {
	p.pending = p.pending[:0]
	if err := p.send(context.Background(), purgeSequence(p.bridge)); err != nil {
		return fmt.Errorf("usbasic: %s: purge: %w", p.where, err)
	}
	return nil
}

// Close releases the interface (the kernel driver is re-attached) and the
// device. It is safe to call more than once.
func (p *gousbPort) Close() error {
	p.closeOnce.Do(func() {
		p.done()
		p.closeErr = p.dev.Close()
	})
	return p.closeErr
}
