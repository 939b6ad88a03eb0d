package usbasic

import (
	"fmt"
	"time"
)

// controlRequest is one USB control transfer of a bridge set-up sequence,
// with the pause the stick needs after it.
type controlRequest struct {
	RequestType uint8
	Request     uint8
	Value       uint16
	Index       uint16
	Data        []byte
	After       time.Duration
}

// String formats the request as the tables of the protocol document do.
func (r controlRequest) String() string {
	s := fmt.Sprintf("%02x %02x %04x %04x", r.RequestType, r.Request, r.Value, r.Index)
	if len(r.Data) > 0 {
		s += fmt.Sprintf(" % x", r.Data)
	}
	return s
}

// FTDI FT230X vendor requests (bmRequestType 0x40, device, no data).
const (
	ftdiOut             = 0x40
	ftdiReset           = 0x00 // wValue 0 reset SIO, 1 purge RX, 2 purge TX
	ftdiSetFlow         = 0x02
	ftdiSetBaud         = 0x03
	ftdiSetData         = 0x04
	ftdiSetBitmode      = 0x0B
	ftdiResetSIO        = 0
	ftdiPurgeRX         = 1
	ftdiPurgeTX         = 2
	ftdiData8N1         = 0x0008
	ftdiCBUSReleased    = 0x20F2 // CBUS bit-bang, CBUS0-3 outputs, CB1=1 (nRST high)
	ftdiCBUSReset       = 0x20F0 // CB1=0: chips held in reset
	ftdiClock           = 3000000
	ftdiPacket          = 64 // wMaxPacketSize of the FT230X bulk IN endpoint
	ftdiStatusBytes     = 2  // modem and line status at the start of each IN packet
	ftdiSettleAfterHigh = 30 * time.Millisecond
	ftdiSettleAfterRst  = 200 * time.Millisecond
)

// Silicon Labs CP2102 interface requests (bmRequestType 0x41).
const (
	cp210xOut         = 0x41
	cp210xIfcEnable   = 0x00
	cp210xSetLineCtl  = 0x03
	cp210xSetMHS      = 0x07
	cp210xPurge       = 0x12
	cp210xSetBaudrate = 0x1E
	cp210xUARTEnable  = 0x0001
	cp210xDTRRTSHigh  = 0x0303
	cp210xLine8M1     = 0x0830 // 8 data bits, mark parity, 1 stop (BM1384 sticks)
	cp210xPurgeAll    = 0x000F // purge TX and RX, both FIFOs
)

// ftdiBaudDivisor encodes a baud rate as the FT230X SET_BAUD_RATE wValue and
// wIndex: 3 MHz / (integer + eighths), fraction code in wValue bits 14-15 and
// wIndex bit 0. Divisors 1 and 1.5 have their special codes; others below 2
// do not exist and are rounded to the nearest that does.
func ftdiBaudDivisor(baud int) (value, index uint16, err error) {
	if baud < 183 || baud > ftdiClock {
		return 0, 0, fmt.Errorf("baud %d outside the FT230X's 183..3000000", baud)
	}
	eighths := (ftdiClock*8 + baud/2) / baud // divisor × 8, rounded
	switch {
	case eighths < 10:
		return 0, 0, nil // divisor 1: 3 MBaud
	case eighths < 14:
		return 1, 0, nil // divisor 1.5: 2 MBaud
	case eighths < 16:
		eighths = 16
	case eighths > 16383*8+7:
		eighths = 16383*8 + 7
	}
	// Fraction code for 0/8 .. 7/8: .0 .125 .25 .375 .5 .625 .75 .875.
	codes := [8]uint32{0, 3, 2, 4, 1, 5, 6, 7}
	d := uint32(eighths/8) | codes[eighths%8]<<14
	return uint16(d), uint16(d >> 16), nil
}

// ftdiBaudRate is the rate a divisor encoding gives (the inverse of
// ftdiBaudDivisor, for messages and tests).
func ftdiBaudRate(value, index uint16) float64 {
	switch {
	case value == 0 && index&1 == 0:
		return ftdiClock
	case value == 1 && index&1 == 0:
		return 2000000
	}
	fractions := [8]float64{0, 0.5, 0.25, 0.125, 0.375, 0.625, 0.75, 0.875}
	code := uint32(value>>14) | uint32(index&1)<<2
	return ftdiClock / (float64(value&0x3FFF) + fractions[code])
}

// ftdiBaudRequest is SET_BAUD_RATE for baud.
func ftdiBaudRequest(baud int) (controlRequest, error) {
	v, i, err := ftdiBaudDivisor(baud)
	if err != nil {
		return controlRequest{}, err
	}
	return controlRequest{RequestType: ftdiOut, Request: ftdiSetBaud, Value: v, Index: i}, nil
}

// cp2102BaudRequest is SET_BAUDRATE for baud (4 bytes, little-endian).
func cp2102BaudRequest(baud int) (controlRequest, error) {
	if baud < 300 || baud > 2000000 {
		return controlRequest{}, fmt.Errorf("baud %d outside the CP2102's 300..2000000", baud)
	}
	b := uint32(baud)
	return controlRequest{RequestType: cp210xOut, Request: cp210xSetBaudrate,
		Data: []byte{byte(b), byte(b >> 8), byte(b >> 16), byte(b >> 24)}}, nil
}

// baudRequest is the bridge's baud request.
func baudRequest(b Bridge, baud int) (controlRequest, error) {
	switch b {
	case BridgeFT230X:
		return ftdiBaudRequest(baud)
	case BridgeCP2102:
		return cp2102BaudRequest(baud)
	}
	return controlRequest{}, fmt.Errorf("bridge %v: %w", b, ErrNotSupported)
}

// ftdiResetSequence is cgminer's compac_toggle_reset for the GekkoScience
// FT230X sticks (protocol document §2.3 a): UART back to 8N1 at the
// power-on 115 384 baud, no flow control, both buffers purged, then CBUS1
// (the chips' nRST) pulsed low for hold.
func ftdiResetSequence(hold time.Duration) []controlRequest {
	return []controlRequest{
		{RequestType: ftdiOut, Request: ftdiReset, Value: ftdiResetSIO},
		{RequestType: ftdiOut, Request: ftdiSetData, Value: ftdiData8N1},
		{RequestType: ftdiOut, Request: ftdiSetBaud, Value: 0x001A}, // 115 384 baud
		{RequestType: ftdiOut, Request: ftdiSetFlow, Value: 0},
		{RequestType: ftdiOut, Request: ftdiReset, Value: ftdiPurgeTX},
		{RequestType: ftdiOut, Request: ftdiReset, Value: ftdiPurgeRX},
		{RequestType: ftdiOut, Request: ftdiSetBitmode, Value: ftdiCBUSReleased, After: ftdiSettleAfterHigh},
		{RequestType: ftdiOut, Request: ftdiSetBitmode, Value: ftdiCBUSReset, After: hold},
		{RequestType: ftdiOut, Request: ftdiSetBitmode, Value: ftdiCBUSReleased, After: ftdiSettleAfterRst},
	}
}

// setupSequence is the bridge set-up for a model, exactly as cgminer sends
// it (protocol document §2.3): (a) for FT230X sticks, (b) for the CP2102
// BM1384 sticks (mark parity), (c) for the Icarus-class CP2102 sticks (no
// SET_LINE_CTL: the power-on 8N1 stays).
func setupSequence(m Model) ([]controlRequest, error) {
	switch m.Bridge {
	case BridgeFT230X:
		hold := m.ResetHold
		if hold <= 0 {
			hold = 30 * time.Millisecond
		}
		return ftdiResetSequence(hold), nil
	case BridgeCP2102:
		baud := m.InitialBaud
		if baud == 0 {
			baud = 115200
		}
		br, err := cp2102BaudRequest(baud)
		if err != nil {
			return nil, err
		}
		seq := []controlRequest{
			{RequestType: cp210xOut, Request: cp210xIfcEnable, Value: cp210xUARTEnable},
			{RequestType: cp210xOut, Request: cp210xSetMHS, Value: cp210xDTRRTSHigh},
			br,
		}
		if m.MarkParity {
			seq = append(seq, controlRequest{RequestType: cp210xOut, Request: cp210xSetLineCtl, Value: cp210xLine8M1})
		}
		return seq, nil
	}
	return nil, fmt.Errorf("model %q: bridge %v: %w", m.Name, m.Bridge, ErrNotSupported)
}

// purgeSequence discards what the bridge holds in both directions.
func purgeSequence(b Bridge) []controlRequest {
	switch b {
	case BridgeFT230X:
		return []controlRequest{
			{RequestType: ftdiOut, Request: ftdiReset, Value: ftdiPurgeTX},
			{RequestType: ftdiOut, Request: ftdiReset, Value: ftdiPurgeRX},
		}
	case BridgeCP2102:
		return []controlRequest{{RequestType: cp210xOut, Request: cp210xPurge, Value: cp210xPurgeAll}}
	}
	return nil
}

// stripFTDIStatus removes the 2 status bytes at the start of every 64-byte
// packet of an FT230X bulk IN transfer, in place, and returns the UART
// bytes. A transfer may hold several packets; only the last may be short.
func stripFTDIStatus(raw []byte) []byte {
	out := raw[:0]
	for len(raw) > 0 {
		n := min(len(raw), ftdiPacket)
		if n > ftdiStatusBytes {
			out = append(out, raw[ftdiStatusBytes:n]...)
		}
		raw = raw[n:]
	}
	return out
}
