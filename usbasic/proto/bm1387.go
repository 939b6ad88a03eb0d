package proto

import (
	"errors"
	"fmt"
	"math"
)

// BM1387 header bytes (usb-asic-protocols.md §5.1).
const (
	BM1387SetAddress    = 0x41
	BM1387ReadReg       = 0x44
	BM1387ReadRegAll    = 0x54
	BM1387ChainInactive = 0x55
	BM1387WriteReg      = 0x48
	BM1387WriteRegAll   = 0x58
)

// BM1387 registers (§5.3) and identity.
const (
	BM1387RegChipAddress = 0x00
	BM1387RegPLL         = 0x0C
	BM1387RegTicketMask  = 0x18
	BM1387RegMisc        = 0x1C
	BM1387ChipID         = 0x1387
	BM1387ResetAddress   = 0x13879000
	BM1387ResetPLL       = 0x80400222
	BM1387Cores          = 114
)

// BM1387ReplyLen is the length of a BM1387 reply.
const BM1387ReplyLen = 7

func bm1387Cmd(hdr byte, payload ...byte) []byte {
	f := make([]byte, 0, 3+len(payload))
	f = append(f, hdr, byte(len(payload)+3))
	f = append(f, payload...)
	return append(f, CRC5(f, 8*len(f)))
}

// BM1387WriteRegFrame writes v to register reg of chip (all chips when all).
func BM1387WriteRegFrame(all bool, chip, reg byte, v uint32) []byte {
	hdr := byte(BM1387WriteReg)
	if all {
		hdr, chip = BM1387WriteRegAll, 0
	}
	return bm1387Cmd(hdr, chip, reg, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

// BM1387ReadRegFrame reads register reg of chip (every chip when all).
func BM1387ReadRegFrame(all bool, chip, reg byte) []byte {
	hdr := byte(BM1387ReadReg)
	if all {
		hdr, chip = BM1387ReadRegAll, 0
	}
	return bm1387Cmd(hdr, chip, reg)
}

// BM1387SetAddressFrame gives the first unaddressed chip address addr.
func BM1387SetAddressFrame(addr byte) []byte { return bm1387Cmd(BM1387SetAddress, addr, 0) }

// BM1387ChainInactiveFrame stops every chip relaying set-address commands.
func BM1387ChainInactiveFrame() []byte { return bm1387Cmd(BM1387ChainInactive, 0, 0) }

// BM1387JobFrame returns the job packet (54 or 150 bytes, no preamble).
func BM1387JobFrame(j *Job) ([]byte, error) { return j.body() }

// BM1387PLL returns the PLL setting cgminer uses for f MHz: f clamped to
// 50..1200 and rounded up to 6.25 MHz; below 400 MHz FBDIV = f·8/25 with
// REFDIV 2 and POSTDIV 4·1, from 400 MHz FBDIV = f·4/25 with POSTDIV 2·1.
func BM1387PLL(f float64) PLL {
	f = math.Max(50, math.Min(1200, f))
	f = math.Ceil(f/6.25-1e-9) * 6.25
	if f < 400 {
		return PLL{FBDiv: int(math.Round(f * 8 / 25)), RefDiv: 2, PostDiv1: 4, PostDiv2: 1}
	}
	return PLL{FBDiv: int(math.Round(f * 4 / 25)), RefDiv: 2, PostDiv1: 2, PostDiv2: 1}
}

// BM1387PLLValue is the register 0x0C value of p: 00 ‖ FBDIV ‖ REFDIV ‖
// POSTDIV1<<4|POSTDIV2.
func BM1387PLLValue(p PLL) uint32 {
	return uint32(p.FBDiv&0xff)<<16 | uint32(p.RefDiv&0xff)<<8 | uint32(p.PostDiv1&0xf)<<4 | uint32(p.PostDiv2&0xf)
}

// BM1387PLLDecode decodes a PLL register value (reply D1 D2 D3).
func BM1387PLLDecode(v uint32) PLL {
	return PLL{FBDiv: int(v>>16) & 0xff, RefDiv: int(v>>8) & 0xff, PostDiv1: int(v>>4) & 0xf, PostDiv2: int(v) & 0xf}
}

// BM1387MiscBaud is the Misc Control (0x1C) value for chip UART divisor bd
// (baud = 25 MHz/((bd+1)·8)): `00 20 BD 00`. With gate, the core clocks are
// opened as well: `40 20 80|BD 80`.
func BM1387MiscBaud(bd int, gate bool) uint32 {
	if gate {
		return 0x40208080 | uint32(bd&0x1f)<<8
	}
	return 0x00200000 | uint32(bd&0x1f)<<8
}

// BM1387MiscBaudRate decodes the chip baud from a Misc Control value.
func BM1387MiscBaudRate(v uint32) int {
	return 25000000 / ((int(v>>8)&0x1f + 1) * 8)
}

// ParseBM1387Reply decodes one 7-byte BM1387 reply: D0..D3 B4 B5 F|CRC5.
// Flag bits 000 mark a register reply, 100 a nonce (B5 = job id + midstate).
func ParseBM1387Reply(f []byte) (Reply, error) {
	if len(f) < BM1387ReplyLen {
		return Reply{}, errors.New("short bm1387 reply")
	}
	if c := CRC5(f[:7], 51); c != f[6]&0x1f {
		return Reply{}, fmt.Errorf("bm1387 reply crc5 %02x, want %02x", f[6]&0x1f, c)
	}
	r := Reply{Nonce: f[6] > 0x1f, Extra: f[4]}
	copy(r.Data[:], f[:4])
	if r.Nonce {
		r.JobID = f[5]
	} else {
		r.Reg = f[5]
	}
	return r, nil
}

// BM1387ReplyFrame encodes a reply (for chip simulators): register replies
// carry B4 = B5 = 0 as cgminer expects, nonces B4 = chip, B5 = job id.
func BM1387ReplyFrame(r Reply) []byte {
	f := []byte{r.Data[0], r.Data[1], r.Data[2], r.Data[3], 0, 0, 0}
	if r.Nonce {
		f[4], f[5], f[6] = r.Extra, r.JobID, 0x80
	}
	f[6] |= CRC5(f, 51)
	return f
}
