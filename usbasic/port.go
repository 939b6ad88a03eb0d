package usbasic

import (
	"errors"
	"time"
)

// Port is the UART of one stick, reached through its USB bridge (FTDI
// FT230X or CP2102), with the bridge already enabled. The gousb transport
// implements it for real sticks; chipsim implements it in-process for tests.
// A Port is used by one driver goroutine at a time.
type Port interface {
	// Write sends bytes to the chips.
	Write(p []byte) (int, error)
	// Read returns the UART bytes that arrive within timeout, bridge status
	// bytes already stripped. On timeout it returns 0 and a nil error.
	Read(p []byte, timeout time.Duration) (int, error)
	// SetBaud sets the bridge's UART baud rate (bit/s).
	SetBaud(baud int) error
	// ResetChips holds the chips' reset line low for hold, then releases it
	// (FT230X CBUS1 bit-bang, as GekkoScience sticks are wired). Bridges
	// without a reset line return ErrNotSupported.
	ResetChips(hold time.Duration) error
	// Purge discards bytes queued in the bridge in both directions.
	Purge() error
	// Close releases the device.
	Close() error
}

// Errors a Port returns.
var (
	// ErrLost: the stick was unplugged or stopped answering at the USB level.
	ErrLost = errors.New("usb stick lost")
	// ErrNotSupported: the bridge cannot do what was asked.
	ErrNotSupported = errors.New("not supported by this bridge")
)

// Family is a chip family, which decides the wire protocol.
type Family int

// Chip families.
const (
	FamilyUnknown Family = iota
	FamilyBM1397         // GekkoScience Compac F, R909 (FT230X)
	FamilyBM1387         // GekkoScience NewPac, R606 (FT230X)
	FamilyBM1384         // GekkoScience Compac, 2Pac, Terminus (CP2102); AntMiner U1/U2/U3 command set
	FamilyIcarus         // ASICMiner Block Erupter (CP2102)
)

var familyNames = [...]string{"unknown", "BM1397", "BM1387", "BM1384", "Icarus"}

// String returns the family's name.
func (f Family) String() string {
	if f < 0 || int(f) >= len(familyNames) {
		return "unknown"
	}
	return familyNames[f]
}
