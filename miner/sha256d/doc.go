// Package sha256d searches Bitcoin header nonces: it double-SHA-256 hashes an 80-byte header for
// a range of nonces and reports every nonce whose hash, read as a little-endian 256-bit number,
// is at or below a target.
//
// A [Job] holds the per-work precomputation (the midstate of header bytes 0..63, block-2 rounds
// 0..3 with the nonce word left out, constant schedule words and the target). A [Kernel] is one
// implementation of the scan: SHA-NI interleaved 3-way and 2-way and AVX2 8-way on amd64, the
// SHA2 extension on arm64, and a portable Go kernel everywhere (the only one with the purego
// build tag). [Available] lists the kernels this CPU can run, fastest first.
//
// Concurrency: a Job is immutable after [NewJob] and may be shared by any number of goroutines;
// Kernel values are plain values. Scan allocates nothing and touches no shared mutable state, so
// one goroutine per core may call it concurrently. The assembly kernels are not preemptible while
// they run, so callers should scan in batches of 2^18 to 2^20 nonces and return to Go between
// batches. The package starts no goroutines and logs nothing.
//
// Candidates are exact: before a nonce is written to found, its full double hash is recomputed
// in Go and compared with the whole 256-bit target.
package sha256d

//go:generate go run ./internal/asmgen -out .
