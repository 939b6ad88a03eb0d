// Package chipsim simulates the chips behind a USB stick's UART, byte for
// byte: the BM1397, BM1387 and BM1384 command sets (register files, chain
// enumeration and addressing, PLL, baud and ticket registers, job tables)
// and the Icarus protocol of the Block Erupter. A Sim consumes host→chip
// bytes and produces chip→host bytes; it scans nonces with crypto/sha256
// from the midstates it is sent and reports those that pass its ticket mask.
//
// Port wraps a Sim as an in-process usbasic.Port, so the drivers can be
// tested end to end without hardware; cmd/chipsim runs a Sim as the exec:
// chip model of the umockdev USB emulator.
//
// Silicon reports nothing below difficulty 1, which software cannot reach
// quickly, so Config.ShareDiff makes the simulated chips report every nonce
// of at least that difficulty whatever their ticket mask (a driver under test
// is told the same value through usbasic.StickConfig.SimShareDiff). Known
// test jobs (the Icarus golden work, cgminer's busy work, the document's
// §9.6 vectors) are answered from their exhaustively computed nonce sets.
//
// Other knobs play faults: SilentAfterJobs (the chip stops answering),
// Garbage (random bytes between replies), CorruptEvery (nonces with a
// flipped bit, which a driver must count as hardware errors).
//
// Goroutines: each Sim runs one hashing goroutine from New until Close.
// All methods of Sim and Port are safe for concurrent use.
package chipsim
