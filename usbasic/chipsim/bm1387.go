package chipsim

import (
	"github.com/soloist-miner/soloist/usbasic/proto"
)

type bm1387 struct {
	cfg   Config
	chips []*bmChip
}

func newBM1387(cfg Config) *bm1387 { return &bm1387{cfg: cfg} }

func (f *bm1387) reset(s *Sim) {
	f.chips = f.chips[:0]
	for i := 0; i < f.cfg.Chips; i++ {
		f.chips = append(f.chips, &bmChip{regs: map[byte]uint32{
			proto.BM1387RegChipAddress: proto.BM1387ResetAddress,
			proto.BM1387RegPLL:         proto.BM1387ResetPLL &^ 0x80000000,
			proto.BM1387RegMisc:        0x40201A00,
			proto.BM1387RegTicketMask:  0,
		}})
	}
	s.stats.Chips = len(f.chips)
	s.stats.Addresses = make([]byte, len(f.chips))
	s.stats.FrequencyMHz = proto.BM1387PLLDecode(proto.BM1387ResetPLL).MHz()
}

func (f *bm1387) chipBaud() int {
	return proto.BM1387MiscBaudRate(f.chips[0].regs[proto.BM1387RegMisc])
}

func (f *bm1387) ticketBits(*work) int {
	return proto.TicketBits(f.chips[0].regs[proto.BM1387RegTicketMask])
}

func (f *bm1387) input(s *Sim) {
	for {
		b := s.in
		if len(b) < 2 {
			return
		}
		l := int(b[1])
		switch {
		case b[0] == proto.JobHeader && (l == 22+32 || l == 22+64 || l == 22+128):
		case (b[0] == proto.BM1387SetAddress || b[0] == proto.BM1387ReadReg || b[0] == proto.BM1387ReadRegAll || b[0] == proto.BM1387ChainInactive) && l == 5:
		case (b[0] == proto.BM1387WriteReg || b[0] == proto.BM1387WriteRegAll) && l == 9:
		default:
			s.stats.BadFrames++
			s.in = b[1:]
			continue
		}
		if len(b) < l {
			return
		}
		if !f.handle(s, b[:l]) {
			s.stats.BadFrames++
			s.in = b[1:]
			continue
		}
		s.in = b[l:]
	}
}

func (f *bm1387) handle(s *Sim, fr []byte) bool {
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
	case proto.BM1387ChainInactive:
	case proto.BM1387SetAddress:
		for i, c := range f.chips {
			if !c.addressed {
				c.addr, c.addressed = fr[2], true
				s.stats.Addresses[i] = fr[2]
				break
			}
		}
	case proto.BM1387ReadRegAll, proto.BM1387ReadReg:
		for _, c := range f.chips {
			if fr[0] == proto.BM1387ReadReg && c.addr != fr[2] {
				continue
			}
			v := c.regs[fr[3]]
			if fr[3] == proto.BM1387RegPLL {
				v |= 0x80000000
			}
			s.reply(proto.BM1387ReplyFrame(proto.Reply{Data: be(v)}))
			if fr[0] == proto.BM1387ReadReg {
				break
			}
		}
	case proto.BM1387WriteRegAll, proto.BM1387WriteReg:
		v := uint32(fr[4])<<24 | uint32(fr[5])<<16 | uint32(fr[6])<<8 | uint32(fr[7])
		for _, c := range f.chips {
			if fr[0] == proto.BM1387WriteReg && c.addr != fr[2] {
				continue
			}
			c.regs[fr[3]] = v
		}
		if fr[3] == proto.BM1387RegPLL {
			s.stats.FrequencyMHz = proto.BM1387PLLDecode(f.chips[0].regs[proto.BM1387RegPLL]).MHz()
		}
	}
	return true
}

func (f *bm1387) nonceFrame(w *work, chip, mid int, n [4]byte) []byte {
	addr := byte(0)
	if chip < len(f.chips) {
		addr = f.chips[chip].addr
	}
	return proto.BM1387ReplyFrame(proto.Reply{Nonce: true, Data: n, JobID: w.id + byte(mid), Extra: addr})
}
