package main

import (
	"context"
	"errors"
	"log/slog"

	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/usbasic"
)

// usbSticks finds the USB sticks attached and keeps them across hot-plug.
// Without USB (no cgo build, no /dev/bus/usb, --no-usb) it returns a nil
// manager and says why in the log; mining goes on without sticks.
func usbSticks(ctx context.Context, c *config, freq map[string]float64, log *slog.Logger) *usbasic.Manager {
	if c.noUSB {
		return nil
	}
	mgr, err := usbasic.Open(ctx, usbasic.Config{Freq: freq, Logger: log.With("sub", "usb")})
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
