package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"

	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/usbasic"
)

// errProbeOff is why an unnamed CP2102 is not used with --no-usb-probe.
var errProbeOff = errors.New("not probed (--no-usb-probe)")

// envSimShareDiff is the test-only environment variable that lets emulated
// sticks report shares easier than difficulty 1.
const envSimShareDiff = "SOLOIST_TEST_SIM_SHARE_DIFF"

// usbSticks finds the USB sticks attached and keeps them across hot-plug.
// Without USB (no cgo build, no /dev/bus/usb, --no-usb) it returns a nil
// manager and says why in the log; mining goes on without sticks.
func usbSticks(ctx context.Context, c *config, freq map[string]float64, log *slog.Logger) *usbasic.Manager {
	if c.noUSB {
		return nil
	}
	cfg := usbasic.Config{Freq: freq, Logger: log.With("sub", "usb")}
	if c.noProbe {
		cfg.Probe = func(context.Context, usbasic.Port, usbasic.Model) error { return errProbeOff }
	}
	// Test knob for emulated sticks only (see DEVELOPERS.md): silicon never
	// reports below difficulty 1, which a simulator cannot reach quickly.
	if v := os.Getenv(envSimShareDiff); v != "" {
		if d, err := strconv.ParseFloat(v, 64); err == nil && d > 0 && d < 1 {
			cfg.SimShareDiff = d
			log.Warn("test knob set: USB sticks are treated as simulators", "env", envSimShareDiff, "share_diff", d)
		}
	}
	mgr, err := usbasic.Open(ctx, cfg)
	if err != nil {
		lvl := slog.LevelWarn
		if errors.Is(err, usbasic.ErrNotBuiltIn) || errors.Is(err, usbasic.ErrNoUSB) {
			lvl = slog.LevelInfo
		}
		log.Log(ctx, lvl, "no USB miners", "reason", err.Error())
		return nil
	}
	return mgr
}

// forwardSticks hands sticks plugged in later to the miner.
func forwardSticks(ctx context.Context, mgr *usbasic.Manager, m *miner.Miner) {
	for {
		select {
		case <-ctx.Done():
			return
		case h, ok := <-mgr.Added():
			if !ok {
				return
			}
			m.AddHasher(h)
		}
	}
}
