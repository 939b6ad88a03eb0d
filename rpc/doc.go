// Package rpc is soloist's client for a local Bitcoin node: Bitcoin Core 28+,
// Bitcoin Knots or btcd, over JSON-RPC in HTTP POST mode. [Client] implements
// [miner.Node]; the helpers in discover.go find credentials and ports the way
// Bitcoin Core does, for main to use.
//
// # Transports
//
// Ordinary calls (getblockchaininfo, getblocktemplate without long polling,
// getblockheader, …) go through one btcd rpcclient.Client, submitblock
// through a second one, so that a slow template call never delays a found
// block. Every call uses RawRequest with this package's own JSON types:
// rpcclient's typed calls fail against Core 28+ (warnings became an array) or
// drop template fields (rules, vbavailable, signet_challenge).
//
// rpcclient v0.24.2 has no cancellation and retries transport errors ten times
// over 22.5 s. Each call is therefore awaited with a select on the context
// (bounded by Config.CallTimeout), and while a call is slow the node's port is
// probed with a plain TCP dial (after 0.5 s, then every second; at once when
// the previous call found the node down): a refused or timed-out dial, or the context
// ending, makes the call return an error wrapping [miner.ErrUnreachable] at
// once, and the rpcclient.Client it ran on is shut down and replaced, so no
// later call queues behind its retry loop.
//
// Long polls (Template with a long-poll id) run on a third transport of this
// package's own, a plain net/http client with a per-request context: Bitcoin
// Core answers a long poll only when the tip or mempool changes, and an
// rpcclient request cannot be abandoned without leaking its connection (and a
// node RPC worker) until then. Cancelling the context closes the connection;
// a node that stops is seen at once (the connection closes) and a vanished
// host within about 30 s (TCP keep-alive).
//
// # Errors
//
// Errors wrap the miner's sentinels: connection refused, timeouts and an
// abandoned call → [miner.ErrUnreachable]; HTTP 401/403 → [miner.ErrAuth],
// naming Config.AuthSource and never a credential; RPC -10 → [miner.ErrSyncing];
// -9 → [miner.ErrNoPeers]; a malformed template → [miner.ErrUnsupportedTemplate].
// Other node errors keep the node's code and message ([*NodeError]).
//
// # Concurrency
//
// A Client is safe for concurrent use. It starts no goroutine of its own
// beyond those inside its rpcclient.Clients (one send loop each); Close stops
// them and abandons in-flight long polls. Nothing is logged unless
// Config.Logger is set, and credentials are never logged.
package rpc
