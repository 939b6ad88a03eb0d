package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// BM1397 header bytes (usb-asic-protocols.md §4.1).
const (
	BM1397SetAddress    = 0x40
	BM1397WriteReg      = 0x41
	BM1397WriteRegAll   = 0x51
	BM1397ReadReg       = 0x42
	BM1397ReadRegAll    = 0x52
	BM1397ChainInactive = 0x53
	JobHeader           = 0x21 // BM1397 and BM1387 job packets
)

// BM1397 registers used by the driver (§4.3).
const (
	BM1397RegChipAddress   = 0x00
	BM1397RegPLL0          = 0x08
	BM1397RegTicketMask    = 0x14
	BM1397RegMiscControl   = 0x18
	BM1397RegOrderedClock  = 0x20
	BM1397RegFastUART      = 0x28
	BM1397RegCoreRegCtrl   = 0x3C
	BM1397RegPLL3          = 0x68
	BM1397RegPLL0Divider   = 0x70
	BM1397RegClockOrder0   = 0x80
	BM1397RegClockOrder1   = 0x84
	BM1397ChipID           = 0x1397
	BM1397ResetChipAddress = 0x13971800
	BM1397ResetPLL0        = 0xC0600161
	BM1397ResetMisc        = 0x00003A01
	BM1397Cores            = 672
)

// Preamble starts every BM1397 host→chip frame; ReplyPreamble every reply.
var (
	Preamble      = [2]byte{0x55, 0xAA}
	ReplyPreamble = [2]byte{0xAA, 0x55}
)

// bm1397Cmd frames a BM1397 command: 55 AA HDR LEN payload CRC5.
func bm1397Cmd(hdr byte, payload ...byte) []byte {
	f := make([]byte, 0, 4+len(payload)+1)
	f = append(f, 0x55, 0xAA, hdr, byte(len(payload)+3))
	f = append(f, payload...)
	return append(f, CRC5(f[2:], 8*(len(f)-2)))
}

// BM1397WriteRegFrame writes v to register reg of chip (all chips when all).
func BM1397WriteRegFrame(all bool, chip, reg byte, v uint32) []byte {
	hdr := byte(BM1397WriteReg)
	if all {
		hdr, chip = BM1397WriteRegAll, 0
	}
	return bm1397Cmd(hdr, chip, reg, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// BM1397ReadRegFrame reads register reg of chip (every chip answers when all).
func BM1397ReadRegFrame(all bool, chip, reg byte) []byte {
	hdr := byte(BM1397ReadReg)
	if all {
		hdr, chip = BM1397ReadRegAll, 0
	}
	return bm1397Cmd(hdr, chip, reg)
}

// BM1397SetAddressFrame gives the first unaddressed chip address addr.
func BM1397SetAddressFrame(addr byte) []byte { return bm1397Cmd(BM1397SetAddress, addr, 0) }

// BM1397ChainInactiveFrame stops every chip relaying set-address commands.
func BM1397ChainInactiveFrame() []byte { return bm1397Cmd(BM1397ChainInactive, 0, 0) }

// Job is one job for a BM1397 or BM1387: an id, the header tail and 1 or 4
// midstates.
type Job struct {
	ID         byte
	StartNonce [4]byte // always zero in every known driver
	Tail       [12]byte
	Midstates  []Midstate
}

// jobBody returns HDR LEN ID N START TAIL MIDSTATES CRC16 (no preamble).
func (j *Job) body() ([]byte, error) {
	n := len(j.Midstates)
	if n != 1 && n != 2 && n != 4 {
		return nil, fmt.Errorf("job with %d midstates, want 1, 2 or 4", n)
	}
	l := 22 + 32*n
	b := make([]byte, 0, l)
	b = append(b, JobHeader, byte(l), j.ID, byte(n))
	b = append(b, j.StartNonce[:]...)
	b = append(b, j.Tail[:]...)
	for _, m := range j.Midstates {
		f := m.Field()
		b = append(b, f[:]...)
	}
	c := CRC16(b)
	return append(b, byte(c>>8), byte(c)), nil
}

// BM1397JobFrame returns the job packet with its 55 AA preamble
// (56 or 152 bytes).
func BM1397JobFrame(j *Job) ([]byte, error) {
	b, err := j.body()
	if err != nil {
		return nil, err
	}
	return append([]byte{0x55, 0xAA}, b...), nil
}

// ParseJob decodes a job packet without preamble (BM1387 form; BM1397 after
// the 55 AA), checking length and CRC16.
func ParseJob(b []byte) (Job, error) {
	if len(b) < 4 || b[0] != JobHeader {
		return Job{}, errors.New("not a job packet")
	}
	l, n := int(b[1]), int(b[3])
	if (n != 1 && n != 2 && n != 4) || l != 22+32*n {
		return Job{}, fmt.Errorf("job length %d with %d midstates", l, n)
	}
	if len(b) < l {
		return Job{}, fmt.Errorf("job packet of %d bytes, want %d", len(b), l)
	}
	if c := CRC16(b[:l-2]); c != binary.BigEndian.Uint16(b[l-2:]) {
		return Job{}, fmt.Errorf("job crc16 %04x, want %04x", binary.BigEndian.Uint16(b[l-2:]), c)
	}
	j := Job{ID: b[2]}
	copy(j.StartNonce[:], b[4:8])
	copy(j.Tail[:], b[8:20])
	for i := 0; i < n; i++ {
		j.Midstates = append(j.Midstates, MidstateFromField(b[20+32*i:]))
	}
	return j, nil
}

// PLL is a BM13xx PLL setting: f = 25 MHz × FBDiv / (RefDiv × PostDiv1 × PostDiv2).
type PLL struct {
	FBDiv    int
	RefDiv   int
	PostDiv1 int
	PostDiv2 int
}

// MHz is the PLL's output frequency.
func (p PLL) MHz() float64 {
	d := p.RefDiv * p.PostDiv1 * p.PostDiv2
	if d == 0 {
		return 0
	}
	return 25 * float64(p.FBDiv) / float64(d)
}

// BM1397PLL returns the PLL0 setting cgminer uses for f MHz (clamped to
// 100..800): REFDIV 2 (1 from 500 MHz), POSTDIV1 1 (3 to 150, 2 to 250),
// POSTDIV2 5, FBDIV rounded up.
func BM1397PLL(f float64) PLL {
	f = math.Max(100, math.Min(800, f))
	p := PLL{RefDiv: 2, PostDiv1: 1, PostDiv2: 5}
	switch {
	case f >= 500:
		p.RefDiv = 1
	case f <= 150:
		p.PostDiv1 = 3
	case f <= 250:
		p.PostDiv1 = 2
	}
	p.FBDiv = int(math.Ceil(f * float64(p.RefDiv*p.PostDiv1*p.PostDiv2) / 25))
	return p
}

// BM1397PLLValue is the register 0x08 value of p: PLLEN ‖ FBDIV ‖ REFDIV ‖
// POSTDIV1<<4|POSTDIV2 (FBDIV bits 11..8 in the low nibble of the top byte).
func BM1397PLLValue(p PLL) uint32 {
	return 0x40000000 | uint32(p.FBDiv&0xfff)<<16 | uint32(p.RefDiv&0x3f)<<8 | uint32(p.PostDiv1&7)<<4 | uint32(p.PostDiv2&7)
}

// BM1397PLLDecode reads a PLL register value the way cgminer does (FBDIV
// from byte 1, ignoring LOCKED and FBDIV[11:8]).
func BM1397PLLDecode(v uint32) PLL {
	return PLL{FBDiv: int(v>>16) & 0xff, RefDiv: int(v>>8) & 0x3f, PostDiv1: int(v>>4) & 7, PostDiv2: int(v) & 7}
}

// BM1397PLLDividerValue is the PLL0 divider write cgminer makes before a
// frequency change (`0F 0F 0F 00`).
const BM1397PLLDividerValue = 0x0F0F0F00

// BM1397MiscBaud returns the Misc Control (0x18) value cgminer writes for
// chip UART divisor bt8d: baud = 25 MHz / ((bt8d+1)·8). bt8d 1 → 0x00006131
// (1.5625 MBd), 26 → 0x00007A31 (115 740).
func BM1397MiscBaud(bt8d int) uint32 {
	return 0x00006031 | uint32(bt8d&0x1f)<<8 | uint32(bt8d>>5&0xf)<<24
}

// BM1397MiscBaudRate decodes the chip baud from a Misc Control value.
func BM1397MiscBaudRate(v uint32) int {
	bt8d := int(v>>8)&0x1f | int(v>>24&0xf)<<5
	return 25000000 / ((bt8d + 1) * 8)
}

// TicketMask returns the BM1397 ticket-mask register value for chip
// difficulty 2^k: byte b(3−i) = bit-reverse of byte i of 2^k−1, b0 most
// significant (diff 16 → 0x000000F0, 256 → 0x000000FF, 512 → 0x000080FF).
func TicketMask(k int) uint32 {
	if k < 0 {
		k = 0
	}
	if k > 32 {
		k = 32
	}
	m := uint32(uint64(1)<<uint(k) - 1)
	var v uint32
	for i := 0; i < 4; i++ {
		b := reverse8(byte(m >> (8 * i)))
		v |= uint32(b) << (8 * i)
	}
	return v
}

// TicketBits is the inverse of TicketMask: the k of a mask value.
func TicketBits(v uint32) int {
	var m uint32
	for i := 0; i < 4; i++ {
		m |= uint32(reverse8(byte(v>>(8*i)))) << (8 * i)
	}
	k := 0
	for m&1 != 0 {
		k++
		m >>= 1
	}
	return k
}

func reverse8(b byte) byte {
	var r byte
	for i := 0; i < 8; i++ {
		r = r<<1 | b&1
		b >>= 1
	}
	return r
}

// Reply is one decoded chip→host frame of any family.
type Reply struct {
	// Nonce is true for a nonce reply, false for a register reply.
	Nonce bool
	// Data holds the nonce bytes H[76..79] or the register value
	// big-endian.
	Data [4]byte
	// JobID is the job-id byte as returned (BM1397: id | midstate; BM1387:
	// id + midstate; BM1384: work id). Reg is the register of a register
	// reply (BM1397). Chip is the responding chip's address (BM1397
	// register replies), Extra the byte whose meaning is unknown (BM1397 B6
	// of nonce replies, BM1387 B4).
	JobID byte
	Reg   byte
	Chip  byte
	Extra byte
}

// Value is the register value of a register reply.
func (r *Reply) Value() uint32 { return binary.BigEndian.Uint32(r.Data[:]) }

// BM1397ReplyLen is the length of a BM1397 reply, preamble included.
const BM1397ReplyLen = 9

// bm1397CheckNonceCRC: nonce replies carry a CRC5 over 51 bits including
// the flag bits (verified on a sniffed frame, §9.1). cgminer does not check
// it; set false to accept nonce frames whatever their CRC.
const bm1397CheckNonceCRC = true

// ParseBM1397Reply decodes one 9-byte BM1397 reply (AA 55 … F|CRC5).
func ParseBM1397Reply(f []byte) (Reply, error) {
	if len(f) < BM1397ReplyLen {
		return Reply{}, errors.New("short bm1397 reply")
	}
	if f[0] != 0xAA || f[1] != 0x55 {
		return Reply{}, errors.New("bm1397 reply without AA 55 preamble")
	}
	flags := f[8] & 0xE0
	if flags != 0 && flags != 0x80 {
		return Reply{}, fmt.Errorf("bm1397 reply flag bits %02x", flags)
	}
	r := Reply{Nonce: flags == 0x80}
	if !r.Nonce || bm1397CheckNonceCRC {
		if c := CRC5(f[2:9], 51); c != f[8]&0x1f {
			return Reply{}, fmt.Errorf("bm1397 reply crc5 %02x, want %02x", f[8]&0x1f, c)
		}
	}
	copy(r.Data[:], f[2:6])
	if r.Nonce {
		r.Extra, r.JobID = f[6], f[7]
	} else {
		r.Chip, r.Reg = f[6], f[7]
	}
	return r, nil
}

// BM1397ReplyFrame encodes a reply (for chip simulators).
func BM1397ReplyFrame(r Reply) []byte {
	f := []byte{0xAA, 0x55, r.Data[0], r.Data[1], r.Data[2], r.Data[3], r.Chip, r.Reg, 0}
	if r.Nonce {
		f[6], f[7], f[8] = r.Extra, r.JobID, 0x80
	}
	f[8] |= CRC5(f[2:9], 51)
	return f
}
