// Package btcdtest starts and drives a real btcd v0.24.2 node for integration tests.
//
// Start launches a fresh btcd (regtest or simnet) in a temporary data directory, on free
// loopback ports, with TLS off and generated RPC credentials, and stops it when the test
// ends. The returned Node talks plain JSON-RPC 1.0 over HTTP (Call) and offers the helpers
// integration tests need: mining blocks with btcd's own generate RPC, reading blocks back,
// activating segwit through BIP9 signalling, and putting segwit transactions into the
// mempool that spend coinbases paid to a deterministic, test-only key the package owns.
//
// btcd quirks the helpers account for (see shared docs node-rpc.md §6):
//   - a getblocktemplate only picks up new mempool transactions 60 s after the previous
//     template was built (gbtRegenerateSeconds), unless the tip changed in between;
//     WaitTemplateHasTxs polls until the template holds given transactions;
//   - a tip older than 24 h makes getblocktemplate fail with -10, so every Start uses a
//     fresh data directory;
//   - the regtest subsidy halves every 150 blocks, so nothing here assumes 50 BTC;
//   - btcd deletes its regtest database on every start: Restart reads the stopped node's
//     block files and submits those blocks again, so a restarted regtest node keeps its
//     chain like Bitcoin Core would (RestartEmpty gives the bare btcd behaviour);
//   - segwit is a BIP9 deployment on both networks: ActivateSegwit mines until it is
//     active (regtest tip 431, simnet 299; about 0.2 s), and btcd refuses witness
//     transactions in its mempool before that.
//
// The btcd binary is looked up on PATH, then in $(go env GOPATH)/bin. If it is missing,
// Start fails the test with the command that installs it.
//
// Goroutines: Start runs one goroutine per btcd process that waits for it to exit. Call is
// safe for concurrent use. Methods that take a testing.TB report failures with t.Fatalf and
// must be called from the test's own goroutine; Stop and Restart must not run concurrently
// with each other. The node's stdout and stderr go to a log file in the test's temporary
// directory, whose tail is printed when the test fails.
//
// The harness key is public knowledge (derived from a fixed string): never send real coins
// to its addresses.
package btcdtest
