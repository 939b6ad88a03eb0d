// Package e2e holds soloist's end-to-end tests; it has no non-test code.
//
// Every test starts a real btcd v0.24.2 (regtest or simnet) with internal/btcdtest and mines
// against it with the real pieces: the miner package, the rpc node client and the CPU hasher,
// or the soloist binary itself. The tests check through the node, never through the miner's
// own account: each block found is on the node's best chain and its coinbase pays the whole
// block value (subsidy plus fees) to the payout address; segwit transactions put in the
// mempool end up in an accepted block (which proves the witness commitment); and mining
// resumes by itself after the node is stopped and started again.
//
// The tests need the btcd binary (go install github.com/btcsuite/btcd@v0.24.2) and fail,
// not skip, without it. Each one takes a few seconds; TestSoloistBinary also builds the
// binary. They run with the rest: go test -race ./...
package e2e
