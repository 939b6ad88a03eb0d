// Package usbasic drives USB-stick SHA-256 ASIC miners — GekkoScience
// Compac F and R909 (BM1397), NewPac and R606 (BM1387), Compac, 2Pac and
// Terminus (BM1384), the ASICMiner Block Erupter and the AntMiner U1/U2/U3
// (Icarus protocol) — as miner.Hasher implementations. It is the only package
// that imports gousb.
//
// # Layers
//
//   - Port (port.go) is a stick's UART behind its USB bridge. The gousb
//     transport implements it for real sticks (bridge set-up, FTDI status
//     bytes stripped, reset line on CBUS1); package chipsim implements it
//     in-process with simulated chips for tests.
//   - Models (models.go) is the table of supported sticks: USB identity and
//     strings to match, bridge, clock limits and defaults, chips and cores.
//     Discovery matches devices against it (MatchModels).
//   - Stick (stick.go) owns one Port, implements miner.Hasher, and runs the
//     family driver (driver_*.go): initialisation and chip enumeration,
//     frequency set and ramp, ticket mask, job rotation, reply parsing and
//     the re-hash of every nonce. The wire formats live in package
//     usbasic/proto.
//   - Selftest (driver_selftest.go) sends known work with a known answer;
//     it also tells apart sticks whose strings are generic (a plain CP2102 may
//     be a Block Erupter or an AntMiner U).
//   - Discovery, hot-plug and the doctor (discover*.go, hotplug*.go,
//     doctor.go) find sticks on the bus, open them and restart a Stick on a
//     stick that comes back.
//
// # Nonces, shares and hardware errors
//
// Every nonce a chip returns is re-hashed with crypto/sha256 against the job
// it names (and, as cgminer does, the few jobs before it). One that does not
// meet the chip's ticket target is a hardware error: counted in
// DeviceStatus.HWErrors, never sent. A valid nonce adds ticket difficulty ×
// 2^32 to the stick's hash counter and, when it also meets the work's
// target and its job is not stale, goes to the miner as a Solution whose
// Target is the ticket target. Duplicates (chips repeat a job after each full
// pass) are dropped.
//
// # Concurrency
//
// Stick.Run runs on the caller's goroutine and starts none; it is the only
// user of its Port. Status may be called from any goroutine: it reads atomic
// counters and one mutex-guarded string. Run returns nil when its context
// is done, an error wrapping ErrLost when the Port reports the stick gone,
// and another error when the stick stopped answering and resets did not
// bring it back. The package keeps no package-level mutable state and logs
// only to a *slog.Logger it is given.
package usbasic
