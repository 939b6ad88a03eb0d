// Package threadcpu reads the CPU time consumed by the calling OS thread, so a benchmark whose
// goroutines are locked to their threads can report hashes per CPU-second, which (unlike
// wall-clock rates) other load on the machine does not skew. It holds no state and starts no
// goroutines.
package threadcpu

import "time"

// Now returns the calling thread's consumed CPU time; ok is false where the platform has no
// per-thread CPU clock. The caller must be locked to its OS thread (runtime.LockOSThread) for
// two readings to refer to the same thread.
func Now() (d time.Duration, ok bool) { return now() }
