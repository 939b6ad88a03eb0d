// Package miner owns solo mining: it turns a node's block templates into work,
// hands that work to hashers (CPU threads, USB sticks, later Stratum workers),
// re-checks every solution, assembles, journals and submits found blocks, and
// publishes immutable statistics snapshots and events for the UI.
//
// # Data flow
//
//	Node ──Template──▶ Miner ──*Job via Feed──▶ Hasher[i] ──Solution──▶ Miner ──block──▶ Node
//	                     └── Snapshot (latest wins, 2–4 Hz) and Event (buffered) ──▶ UI
//
// The package declares the interfaces it consumes: [Node] (implemented by
// package rpc) and [Hasher] (implemented by miner/cpu and package usbasic).
//
// # Concurrency contract
//
// A [Job] and every [Work] made from it are immutable once published; any
// number of goroutines may read them. A Job's Stale channel is closed when a
// newer job supersedes it; hashers check it between nonce batches and never
// submit stale work. The [Feed] is safe for concurrent use and never blocks
// its publisher.
//
// Hashers count hashes on their own atomic [Counter]; the hot path takes no
// lock and sends on no channel per nonce. Solutions are rare and go over a
// buffered channel. Miner.Run starts and joins every goroutine it needs; all
// of them stop when its context is cancelled.
//
// Nothing in this package logs unless handed a *slog.Logger, reads flags or
// environment variables, or keeps package-level mutable state.
package miner
