package chipsim

import (
	"github.com/soloist-miner/soloist/usbasic/proto"
)

// bmChip is one chip's addressable state (BM1397 and BM1387).
type bmChip struct {
	addr      byte
	addressed bool
	regs      map[byte]uint32
}

type bm1397 struct {
	cfg   Config
	chips []*bmChip
}

func newBM1397(cfg Config) *bm1397 { return &bm1397{cfg: cfg} }

func (f *bm1397) reset(s *Sim) {
	f.chips = f.chips[:0]
	cores := f.cfg.Cores
	if cores <= 0 {
		cores = proto.BM1397Cores
	}
	for i := 0; i < f.cfg.Chips; i++ {
		f.chips = append(f.chips, &bmChip{regs: map[byte]uint32{
			proto.BM1397RegChipAddress: proto.BM1397ChipID<<16 | uint32(cores/28)<<8,
			proto.BM1397RegPLL0:        proto.BM1397ResetPLL0,
			proto.BM1397RegMiscControl: proto.BM1397ResetMisc,
			proto.BM1397RegTicketMask:  0,
			0x04:                       0x80000000,
			proto.BM1397RegFastUART:    0x0600000F,
			proto.BM1397RegPLL0Divider: 0x03040607,
		}})
	}
	s.stats.Chips = len(f.chips)
	s.stats.Addresses = make([]byte, len(f.chips))
	s.stats.FrequencyMHz = proto.BM1397PLLDecode(proto.BM1397ResetPLL0).MHz()
}

func (f *bm1397) chipBaud() int {
	return proto.BM1397MiscBaudRate(f.chips[0].regs[proto.BM1397RegMiscControl])
}

func (f *bm1397) ticketBits(*work) int {
	return proto.TicketBits(f.chips[0].regs[proto.BM1397RegTicketMask])
}

func (f *bm1397) input(s *Sim) {
	for {
		b := s.in
		if len(b) < 4 {
			return
		}
		if b[0] != 0x55 || b[1] != 0xAA {
			s.in = b[1:]
			continue
		}
		l := int(b[3])
		switch {
		case b[2] == proto.JobHeader && (l == 22+32 || l == 22+64 || l == 22+128):
		case b[2] != proto.JobHeader && (l == 5 || l == 9):
		default:
			s.stats.BadFrames++
			s.in = b[1:]
			continue
		}
		if len(b) < 2+l {
			return
		}
		frame := b[2 : 2+l]
		if !f.handle(s, frame) {
			s.stats.BadFrames++
			s.in = b[1:]
			continue
		}
		s.in = b[2+l:]
	}
}

// handle executes one frame (after 55 AA); false when it is not valid.
func (f *bm1397) handle(s *Sim, fr []byte) bool {
	if fr[0] == proto.JobHeader {
		j, err := proto.ParseJob(fr)
		if err != nil {
			return false
		}
		s.newJob(&work{id: j.ID, mids: j.Midstates, tail: j.Tail})
		return true
	}
	if proto.CRC5(fr, 8*len(fr)-8) != fr[len(fr)-1] {
		return false
	}
	s.stats.Commands++
	switch fr[0] {
	case proto.BM1397ChainInactive:
	case proto.BM1397SetAddress:
		for i, c := range f.chips {
			if !c.addressed {
				c.addr, c.addressed = fr[2], true
				c.regs[0] = c.regs[0]&^0xff | uint32(fr[2])
				s.stats.Addresses[i] = fr[2]
				break
			}
		}
	case proto.BM1397ReadRegAll, proto.BM1397ReadReg:
		for _, c := range f.chips {
			if fr[0] == proto.BM1397ReadReg && c.addr != fr[2] {
				continue
			}
			v := c.regs[fr[3]]
			if fr[3] == proto.BM1397RegPLL0 {
				v |= 0x80000000 // LOCKED
			}
			s.reply(proto.BM1397ReplyFrame(proto.Reply{Data: be(v), Chip: c.addr, Reg: fr[3]}))
			if fr[0] == proto.BM1397ReadReg {
				break
			}
		}
	case proto.BM1397WriteRegAll, proto.BM1397WriteReg:
		if len(fr) != 9 {
			return false
		}
		v := uint32(fr[4])<<24 | uint32(fr[5])<<16 | uint32(fr[6])<<8 | uint32(fr[7])
		for _, c := range f.chips {
			if fr[0] == proto.BM1397WriteReg && c.addr != fr[2] {
				continue
			}
			c.regs[fr[3]] = v
		}
		if fr[3] == proto.BM1397RegPLL0 {
			s.stats.FrequencyMHz = proto.BM1397PLLDecode(f.chips[0].regs[proto.BM1397RegPLL0]).MHz()
		}
	default:
		return false
	}
	return true
}

func (f *bm1397) nonceFrame(w *work, chip, mid int, n [4]byte) []byte {
	return proto.BM1397ReplyFrame(proto.Reply{Nonce: true, Data: n, JobID: w.id&0xFC | byte(mid&3)})
}

func be(v uint32) [4]byte { return [4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
