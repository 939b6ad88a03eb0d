package usbasic

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/soloist-miner/soloist/miner"
)

// defaultProbe confirms a stick with generic strings by its self-test.
// TODO(usb): Selftest once the drivers land.
func defaultProbe(ctx context.Context, port Port, m Model) error {
	return fmt.Errorf("usbasic: no self-test for %s yet", m.Name)
}

// defaultDriver is the family driver for stick d.
// TODO(usb): NewStick once the drivers land.
func defaultDriver(port Port, d Device, mhz float64, log *slog.Logger) runner {
	return noDriver{d}
}

type noDriver struct{ d Device }

func (n noDriver) Run(context.Context, *miner.Feed, chan<- miner.Solution) error {
	return fmt.Errorf("usbasic: no driver for %s yet", n.d.Model.Family)
}

func (n noDriver) Status() miner.DeviceStatus { return miner.DeviceStatus{} }
