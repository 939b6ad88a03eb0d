//go:build !cgo

package usbasic

import (
	"context"
	"fmt"
	"log/slog"
)

// BuiltIn reports whether this binary can use USB sticks. It was built
// without cgo, so without libusb: it cannot.
const BuiltIn = false

// Bus stands in for the machine's USB in a build without cgo; OpenBus
// always fails with ErrNotBuiltIn.
type Bus struct{}

// OpenBus returns an error wrapping ErrNotBuiltIn.
func OpenBus(*slog.Logger) (*Bus, error) {
	return nil, fmt.Errorf("usbasic: %w", ErrNotBuiltIn)
}

// Close does nothing.
func (b *Bus) Close() error { return nil }

// Scan returns ErrNotBuiltIn.
func (b *Bus) Scan(context.Context, ScanOptions) ([]Device, error) {
	return nil, fmt.Errorf("usbasic: %w", ErrNotBuiltIn)
}

// Open returns ErrNotBuiltIn.
func (b *Bus) Open(context.Context, Device) (Port, error) {
	return nil, fmt.Errorf("usbasic: %w", ErrNotBuiltIn)
}

func (b *Bus) list() ([]location, error) { return nil, fmt.Errorf("usbasic: %w", ErrNotBuiltIn) }

func (b *Bus) describe(l location) Device {
	return Device{Bus: l.bus, Address: l.address, Err: fmt.Errorf("usbasic: %w", ErrNotBuiltIn)}
}

func (b *Bus) identify(context.Context, *Device, ProbeFunc) {}
