// Package cpu is the CPU hasher: N OS-locked worker goroutines, each
// scanning its own Work (a distinct extranonce) in batches with the fastest
// sha256d kernel the CPU has.
//
// # Concurrency contract
//
// Run starts and joins the workers; SetThreads may be called from any
// goroutine while Run runs and takes effect within one batch. Each worker
// counts hashes on its own cache-line-padded counter; Status sums them and
// never blocks. Between batches (at most about 50 ms of work) a worker
// checks whether its job went stale and moves to the feed's newest job.
package cpu
