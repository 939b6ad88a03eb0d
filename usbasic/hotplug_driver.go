package usbasic

import (
	"context"
	"errors"
	"log/slog"
)

// SelftestProbe is the ProbeFunc that tells a stick with generic strings
// (a Block Erupter behind a plain CP2102) from other devices: the stick must
// pass Selftest as model m.
func SelftestProbe(ctx context.Context, port Port, m Model) error {
	r, err := Selftest(ctx, port, m)
	if err != nil {
		return err
	}
	if !r.Pass {
		if r.Detail == "" {
			r.Detail = "self-test failed"
		}
		return errors.New(r.Detail)
	}
	return nil
}

// defaultProbe is the manager's probe when Config.Probe is nil.
func defaultProbe(ctx context.Context, port Port, m Model) error { return SelftestProbe(ctx, port, m) }

// stickDriver returns the family driver for stick d, as the manager runs
// it: a Stick on port.
func stickDriver(simShareDiff float64) newDriverFunc {
	return func(port Port, d Device, mhz float64, log *slog.Logger) runner {
		return NewStick(port, StickConfig{Model: d.Model, Serial: d.Serial, FrequencyMHz: mhz, Logger: log, SimShareDiff: simShareDiff})
	}
}
