package threadcpu

import (
	"runtime"
	"testing"
	"time"
)

// TestNowCountsWorkNotSleep: busy work advances the thread clock, a sleep barely does.
func TestNowCountsWorkNotSleep(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0, ok := Now()
	if !ok {
		t.Skip("no per-thread cpu clock on this platform")
	}
	time.Sleep(50 * time.Millisecond)
	t1, _ := Now()
	if slept := t1 - t0; slept > 20*time.Millisecond {
		t.Errorf("sleeping 50ms used %v of thread cpu time", slept)
	}
	// Busy work must make the clock reach +20ms (a loaded machine only slows the wall clock).
	x := uint64(1)
	for deadline := time.Now().Add(30 * time.Second); ; {
		for range 1 << 16 {
			x = x*6364136223846793005 + 1
		}
		if t2, _ := Now(); t2-t1 >= 20*time.Millisecond {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("30s of busy work did not add 20ms of thread cpu time (x=%d)", x)
		}
	}
}
