package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// BM1384 4-byte commands (usb-asic-protocols.md §6.1). Bit 7 = all chips.
const (
	BM1384SetAddress    = 0x01
	BM1384SetFreq       = 0x82
	BM1384ReadReg       = 0x04
	BM1384ReadRegAll    = 0x84
	BM1384ChainInactive = 0x85
	BM1384SetBaud       = 0x86
	BM1384Cores         = 55
	// BM1384ReplyLen is the length of a BM1384 reply.
	BM1384ReplyLen = 5
	// WorkLen is the length of a BM1384 or Icarus work packet.
	WorkLen = 64
)

// BM1384Cmd frames a 4-byte command: CMD P1 P2 flags<<5|CRC5(27 bits).
// The flag bits (110 for the voltage command) are not covered by the CRC.
func BM1384Cmd(cmd, p1, p2, flags byte) []byte {
	f := []byte{cmd, p1, p2, 0}
	f[3] = flags<<5 | CRC5(f, 27)
	return f
}

// IsBM1384Cmd reports whether b starts with a well-formed 4-byte command
// (known command byte, valid CRC5): the emulator's rule for telling commands
// from 64-byte works.
func IsBM1384Cmd(b []byte) bool {
	if len(b) < 4 {
		return false
	}
	switch b[0] {
	case BM1384SetAddress, BM1384SetFreq, BM1384ReadReg, BM1384ReadRegAll, BM1384ChainInactive, BM1384SetBaud, 0xAA:
	default:
		return false
	}
	return CRC5([]byte{b[0], b[1], b[2], 0}, 27) == b[3]&0x1f
}

// BM1384FreqCode returns the 16-bit PLL code for f MHz (rounded up to
// 6.25 MHz, clamped to 100..500) and the frequency it gives: code = N<<7 | D,
// f = (N+1)·25/div(D). Multiples of 25 MHz use D 3 (÷4) below 200, 2 (÷2)
// below 400, else 1; other values use D 7 (÷8) below 200, else 6 (÷4).
func BM1384FreqCode(f float64) (uint16, float64) {
	f = math.Max(100, math.Min(500, f))
	f = math.Ceil(f/6.25-1e-9) * 6.25
	var d, div int
	switch {
	case math.Mod(f, 25) == 0 && f < 200:
		d, div = 3, 4
	case math.Mod(f, 25) == 0 && f < 400:
		d, div = 2, 2
	case math.Mod(f, 25) == 0:
		d, div = 1, 1
	case f < 200:
		d, div = 7, 8
	default:
		d, div = 6, 4
	}
	n := int(math.Round(f*float64(div)/25)) - 1
	code := uint16(n<<7 | d)
	return code, BM1384FreqMHz(code)
}

// BM1384FreqMHz decodes a PLL code.
func BM1384FreqMHz(code uint16) float64 {
	div := map[int]float64{1: 1, 2: 2, 5: 2, 3: 4, 6: 4, 7: 8}[int(code&0x7f)]
	if div == 0 {
		return 0
	}
	return float64(int(code>>7)+1) * 25 / div
}

// BM1384FreqFrame is the set-frequency command `82 hi lo crc`.
func BM1384FreqFrame(code uint16) []byte {
	return BM1384Cmd(BM1384SetFreq, byte(code>>8), byte(code), 0)
}

// Work is a 64-byte BM1384 / Icarus work packet.
type Work struct {
	Midstate Midstate
	// Ticket is the chip difficulty mask 2^k−1 (BM1384; 0 = diff 1).
	Ticket byte
	// HCN is the hash counting number (BM1384; 0 = no limit).
	HCN uint32
	// ID is the work id echoed in BM1384/AntMiner replies (byte 51).
	ID   byte
	Tail [12]byte
}

// WorkFrame encodes w as the 64-byte packet.
func WorkFrame(w *Work) []byte {
	b := make([]byte, WorkLen)
	f := w.Midstate.Field()
	copy(b[0:32], f[:])
	b[39] = w.Ticket
	binary.BigEndian.PutUint32(b[40:44], w.HCN)
	b[51] = w.ID
	copy(b[52:64], w.Tail[:])
	return b
}

// ParseWork decodes a 64-byte work packet.
func ParseWork(b []byte) (Work, error) {
	if len(b) < WorkLen {
		return Work{}, fmt.Errorf("work of %d bytes, want %d", len(b), WorkLen)
	}
	w := Work{Midstate: MidstateFromField(b[0:32]), Ticket: b[39], HCN: binary.BigEndian.Uint32(b[40:44]), ID: b[51]}
	copy(w.Tail[:], b[52:64])
	return w, nil
}

// ParseBM1384Reply decodes a 5-byte BM1384 reply: N0..N3 0x80|id for a
// nonce (no CRC), D0..D3 000|CRC5(35 bits) for a register.
func ParseBM1384Reply(f []byte) (Reply, error) {
	if len(f) < BM1384ReplyLen {
		return Reply{}, errors.New("short bm1384 reply")
	}
	var r Reply
	copy(r.Data[:], f[:4])
	switch {
	case f[4]&0xE0 == 0x80:
		r.Nonce, r.JobID = true, f[4]&0x1f
	case f[4] <= 0x1f:
		if c := CRC5(f[:5], 35); c != f[4] {
			return Reply{}, fmt.Errorf("bm1384 reply crc5 %02x, want %02x", f[4], c)
		}
	default:
		return Reply{}, fmt.Errorf("bm1384 reply flag byte %02x", f[4])
	}
	return r, nil
}

// BM1384ReplyFrame encodes a reply (for chip simulators).
func BM1384ReplyFrame(r Reply) []byte {
	f := []byte{r.Data[0], r.Data[1], r.Data[2], r.Data[3], 0}
	if r.Nonce {
		f[4] = 0x80 | r.JobID&0x1f
	} else {
		f[4] = CRC5(f, 35)
	}
	return f
}
