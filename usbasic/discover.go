package usbasic

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Device is one USB device whose VID:PID is a bridge that miner sticks use:
// where it is, what its strings say, which model it is, and why it cannot
// be used, if it cannot.
type Device struct {
	Bus, Address int
	// Path is the physical port path ("1-2.3"); it stays the same when a
	// stick is replugged into the same port.
	Path         string
	VID, PID     uint16
	Manufacturer string
	Product      string
	Serial       string
	// Model is the stick it is; Model.Name is "" when it is not known to be
	// a miner (Err says why).
	Model Model
	// Probed is true when the model was found by probing (a Block Erupter
	// behind the CP2102's default strings) rather than by its strings.
	Probed bool
	// Err is why the stick cannot be used (wraps ErrNoPermission, ErrBusy,
	// ErrNotMiner, ...), nil when it can.
	Err error
}

// Location is the bus and address as lsusb shows them ("001/002").
func (d Device) Location() string { return fmt.Sprintf("%03d/%03d", d.Bus, d.Address) }

// ID is the VID:PID ("0403:6015").
func (d Device) ID() string { return fmt.Sprintf("%04x:%04x", d.VID, d.PID) }

// Usable reports whether the device is a known stick that can be opened.
func (d Device) Usable() bool { return d.Err == nil && d.Model.Name != "" }

// Key identifies the stick across unplug and replug: its serial number, or
// when it has none its model and physical port.
func (d Device) Key() string {
	if d.Serial != "" {
		return d.Model.Name + "/" + d.Serial
	}
	return d.Model.Name + "@" + d.Path
}

// HasherName is the name of the stick's hasher ("compacf-GSF0001").
func (d Device) HasherName() string {
	id := d.Serial
	if id == "" {
		id = strings.ReplaceAll(d.Path, ".", "_")
		if id == "" {
			id = strconv.Itoa(d.Bus) + "_" + strconv.Itoa(d.Address)
		}
	}
	name := d.Model.Name
	if name == "" {
		name = "usb"
	}
	return name + "-" + id
}

// ProbeFunc decides whether the stick behind port is model m: it sends the
// model's known work and checks the answer (Selftest). It returns nil when
// the stick answered as m.
type ProbeFunc func(ctx context.Context, port Port, m Model) error

// ScanOptions tunes Scan.
type ScanOptions struct {
	// Probe confirms sticks with generic strings (a CP2102 that may be a
	// Block Erupter). With nil they are not probed and are reported with
	// ErrNotMiner.
	Probe ProbeFunc
}

// location is where a device sits on the bus, as enumeration reports it.
type location struct {
	bus, address int
	vid, pid     uint16
	path         string
}

// key is the location as a map key ("001/002").
func (l location) key() string { return fmt.Sprintf("%03d/%03d", l.bus, l.address) }

// bridgeIDs are the VID:PIDs of the model table, which Scan looks at.
func bridgeIDs() map[[2]uint16]Bridge {
	ids := make(map[[2]uint16]Bridge)
	for _, m := range modelTable {
		ids[[2]uint16{m.VID, m.PID}] = m.Bridge
	}
	return ids
}

// identify fills in d.Model from d's strings and, for sticks that only
// probing can tell, from probe. open opens the device as model m.
func identify(ctx context.Context, d *Device, probe ProbeFunc, open func(Model) (Port, error)) {
	if d.Err != nil {
		return
	}
	candidates := MatchModels(d.VID, d.PID, d.Manufacturer, d.Product)
	switch {
	case len(candidates) == 0:
		d.Err = fmt.Errorf("%s %s %q %q: %w", d.Location(), d.ID(), d.Manufacturer, d.Product, ErrNotMiner)
		return
	case !candidates[0].Probe:
		d.Model = candidates[0]
		return
	case probe == nil:
		d.Err = fmt.Errorf("%s %s: not probed: %w", d.Location(), d.ID(), ErrNotMiner)
		return
	}
	var last error
	for _, m := range candidates {
		port, err := open(m)
		if err != nil {
			d.Err = err
			return
		}
		err = probe(ctx, port, m)
		port.Close()
		if err == nil {
			d.Model, d.Probed = m, true
			return
		}
		last = err
	}
	d.Err = fmt.Errorf("%s %s: %w (%v)", d.Location(), d.ID(), ErrNotMiner, last)
}
