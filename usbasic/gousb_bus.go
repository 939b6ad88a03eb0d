//go:build cgo

package usbasic

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/gousb"
)

// BuiltIn reports whether this binary can use USB sticks (it was built
// with cgo, hence with libusb).
const BuiltIn = true

// Bus is the machine's USB, through libusb. Its methods are safe for
// concurrent use. gousb starts one event goroutine per Bus, stopped by
// Close.
type Bus struct {
	log *slog.Logger
	mu  sync.Mutex // serialises enumeration and opening
	ctx *gousb.Context
}

// OpenBus initialises libusb. It returns an error wrapping ErrNoUSB when
// libusb cannot start (no /dev/bus/usb, as in most containers), where
// gousb itself would panic.
func OpenBus(logger *slog.Logger) (*Bus, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ctx, err := startLibusb(gousb.NewContext)
	if err != nil {
		return nil, err
	}
	return &Bus{log: logger, ctx: ctx}, nil
}

// startLibusb calls newContext, turning the panic gousb raises when
// libusb_init fails into an error wrapping ErrNoUSB.
func startLibusb(newContext func() *gousb.Context) (ctx *gousb.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			ctx, err = nil, fmt.Errorf("usbasic: %w: libusb cannot start: %v", ErrNoUSB, r)
		}
	}()
	return newContext(), nil
}

// Close releases libusb. Ports opened from the bus must be closed first.
func (b *Bus) Close() error { return b.ctx.Close() }

// list enumerates the devices whose VID:PID is a miner bridge, without
// opening them. It fails with ErrNoUSB when there is no USB device at all.
func (b *Bus) list() ([]location, error) {
	ids := bridgeIDs()
	var locs []location
	all := 0
	b.mu.Lock()
	defer b.mu.Unlock()
	_, err := b.ctx.OpenDevices(func(d *gousb.DeviceDesc) bool {
		all++
		if _, ok := ids[[2]uint16{uint16(d.Vendor), uint16(d.Product)}]; ok {
			locs = append(locs, location{bus: d.Bus, address: d.Address,
				vid: uint16(d.Vendor), pid: uint16(d.Product), path: portPath(d)})
		}
		return false
	})
	if err != nil {
		return locs, fmt.Errorf("usbasic: list usb devices: %w", classify(err))
	}
	if all == 0 {
		// Every machine with USB has at least a root hub. Debian's libusb
		// starts without /dev/bus/usb (it trusts udev) and then sees nothing.
		return nil, fmt.Errorf("usbasic: %w: libusb lists no device at all, not even a root hub", ErrNoUSB)
	}
	return locs, nil
}

// portPath is the sysfs-style port path ("1-2.3").
func portPath(d *gousb.DeviceDesc) string {
	if len(d.Path) == 0 {
		return strconv.Itoa(d.Bus) + "-" + strconv.Itoa(d.Port)
	}
	parts := make([]string, len(d.Path))
	for i, p := range d.Path {
		parts[i] = strconv.Itoa(p)
	}
	return strconv.Itoa(d.Bus) + "-" + strings.Join(parts, ".")
}

// describe opens the device at l long enough to read its strings.
func (b *Bus) describe(l location) Device {
	d := Device{Bus: l.bus, Address: l.address, Path: l.path, VID: l.vid, PID: l.pid}
	b.mu.Lock()
	dev, err := openAt(b.ctx, l.bus, l.address)
	b.mu.Unlock()
	if err != nil {
		d.Err = err
		return d
	}
	defer dev.Close()
	dev.ControlTimeout = controlTimeout
	for _, s := range []struct {
		get  func() (string, error)
		into *string
	}{{dev.Manufacturer, &d.Manufacturer}, {dev.Product, &d.Product}, {dev.SerialNumber, &d.Serial}} {
		v, err := s.get()
		if err != nil && isGone(err) {
			d.Err = fmt.Errorf("usbasic: %s: read strings: %w", d.Location(), classify(err))
			return d
		}
		*s.into = v // a missing string (index 0) reads as ""
	}
	return d
}

// Scan lists the sticks attached now, in bus order: every device with a
// miner bridge's VID:PID, identified by its strings and, for generic
// strings, by opt.Probe. Devices that cannot be used are listed with Err
// set.
func (b *Bus) Scan(ctx context.Context, opt ScanOptions) ([]Device, error) {
	locs, err := b.list()
	if err != nil && len(locs) == 0 {
		return nil, err
	}
	slices.SortFunc(locs, func(a, b location) int { return strings.Compare(a.key(), b.key()) })
	devs := make([]Device, 0, len(locs))
	for _, l := range locs {
		d := b.describe(l)
		b.identify(ctx, &d, opt.Probe)
		devs = append(devs, d)
	}
	return devs, nil
}

// identify names the model of d, probing when its strings are generic.
func (b *Bus) identify(ctx context.Context, d *Device, probe ProbeFunc) {
	identify(ctx, d, probe, func(m Model) (Port, error) {
		return b.openPort(ctx, d.Bus, d.Address, m)
	})
	if d.Err != nil {
		b.log.Debug("usb device not used", "at", d.Location(), "id", d.ID(), "err", d.Err)
	}
}

// Open opens a stick found by Scan as its model: kernel driver detached,
// interface claimed, bridge set up. The caller closes the Port.
func (b *Bus) Open(ctx context.Context, d Device) (Port, error) {
	if d.Model.Name == "" {
		return nil, fmt.Errorf("usbasic: %s: no model to open it as", d.Location())
	}
	return b.openPort(ctx, d.Bus, d.Address, d.Model)
}

// openPort opens the stick at bus/address as model m. Only enumeration is
// serialised: sticks are set up (a Compac F's reset takes over a second)
// side by side.
func (b *Bus) openPort(ctx context.Context, bus, address int, m Model) (Port, error) {
	b.mu.Lock()
	dev, err := openAt(b.ctx, bus, address)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return newPort(ctx, dev, m)
}
