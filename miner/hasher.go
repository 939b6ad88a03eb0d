package miner

import (
	"context"
	"sync/atomic"
)

// Hasher is a device that searches nonces: CPU threads, a USB stick, later a
// Stratum worker. Run takes jobs from the feed (feed.Next), builds or fetches
// Work (job.NewWork), hashes it, and sends every nonce whose hash meets the
// work's target on out. It counts hashes on its own atomic Counter and never
// locks or sends per nonce. It moves to the feed's newest job within 100 ms
// of it being published, and never reports a nonce of a job that is stale
// when found (sending it anyway is harmless: the miner drops stale work).
//
// Run returns when ctx is done (nil) or when the device has failed for good
// (an error saying why). Status is called by the sampler a few times a second
// from another goroutine: it must be cheap and must not block.
type Hasher interface {
	// Name is unique among the miner's hashers ("cpu", "compacf-GSF0001").
	Name() string
	Run(ctx context.Context, feed *Feed, out chan<- Solution) error
	Status() DeviceStatus
}

// Threaded is implemented by hashers whose thread count can change while
// they run (the CPU hasher). SetThreads returns the count now in effect.
type Threaded interface {
	SetThreads(n int) int
}

// DeviceState says what a hasher is doing.
type DeviceState int

// Device states.
const (
	DeviceStarting DeviceState = iota
	DeviceRunning
	DeviceIdle    // waiting for work (node down, syncing, paused)
	DeviceLost    // unplugged or not answering; may come back
	DeviceFailed  // given up
	DeviceStopped // Run returned
)

var deviceStateNames = [...]string{"starting", "running", "idle", "lost", "failed", "stopped"}

// String returns the state's lower-case name.
func (s DeviceState) String() string {
	if s < 0 || int(s) >= len(deviceStateNames) {
		return "unknown"
	}
	return deviceStateNames[s]
}

// DeviceStatus is a hasher's own account of itself.
type DeviceStatus struct {
	Name   string
	Kind   string // "cpu", "usb", "stratum"
	Detail string // kernel name, model and serial, worker name
	State  DeviceState
	// Hashes is the cumulative number of hashes done, or for devices that
	// only report shares, the estimate difficulty × 2^32 summed per share.
	Hashes  uint64
	Threads int // CPU threads or chips; 0 when not meaningful
	// ExpectedRate is the nominal rate in H/s (frequency × cores for an
	// ASIC), 0 when unknown.
	ExpectedRate float64
	// HWErrors counts nonces the device reported that did not hash to its
	// target; Nonces counts the ones that did.
	HWErrors uint64
	Nonces   uint64
	// Temperature in °C, 0 when the device has no sensor.
	Temperature  float64
	FrequencyMHz float64
	Err          string // last error, "" when none
}

// Counter is a hash counter padded to its own cache line, so that hashers
// on different cores never share one. The zero value is ready to use.
type Counter struct {
	_ [64]byte
	n atomic.Uint64
	_ [56]byte
}

// Add counts n more hashes.
func (c *Counter) Add(n uint64) { c.n.Add(n) }

// Load returns the count so far.
func (c *Counter) Load() uint64 { return c.n.Load() }
