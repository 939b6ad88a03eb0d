package chipsim

import (
	"github.com/soloist-miner/soloist/usbasic/proto"
)

// bm1384 plays BM1384 chips: 4-byte commands and 64-byte works on one UART,
// told apart by the emulator rule of usb-asic-protocols.md §11.1 (a known
// command byte with a valid 27-bit CRC5 is a command).
type bm1384 struct {
	cfg   Config
	addrs []byte
	set   int
	code  uint16
	baud  int
}

func newBM1384(cfg Config) *bm1384 { return &bm1384{cfg: cfg} }

func (f *bm1384) reset(s *Sim) {
	f.addrs = make([]byte, f.cfg.Chips)
	f.set = 0
	f.code = 0x0783 // 100 MHz
	f.baud = 115200
	s.stats.Chips = f.cfg.Chips
	s.stats.Addresses = make([]byte, f.cfg.Chips)
	s.stats.FrequencyMHz = proto.BM1384FreqMHz(f.code)
}

func (f *bm1384) chipBaud() int { return f.baud }

func (f *bm1384) ticketBits(w *work) int {
	if w == nil {
		return 0
	}
	return w.ticketK
}

func (f *bm1384) input(s *Sim) {
	for len(s.in) >= 4 {
		b := s.in
		if proto.IsBM1384Cmd(b) {
			f.command(s, b[:4])
			s.in = b[4:]
			continue
		}
		if len(b) < proto.WorkLen {
			return
		}
		w, _ := proto.ParseWork(b)
		k := 0
		for m := int(w.Ticket) + 1; m > 1; m >>= 1 {
			k++
		}
		s.newJob(&work{id: w.ID & 0x1f, mids: []proto.Midstate{w.Midstate}, tail: w.Tail, ticketK: k})
		s.in = b[proto.WorkLen:]
	}
}

func (f *bm1384) command(s *Sim, c []byte) {
	s.stats.Commands++
	switch c[0] {
	case proto.BM1384ReadRegAll, proto.BM1384ReadReg:
		for i, a := range f.addrs {
			if c[0] == proto.BM1384ReadReg && a != c[1] {
				continue
			}
			var v uint32
			switch c[2] {
			case 0:
				v = 0x13840000 | uint32(a)
			case 4:
				v = 0x80000000 | uint32(f.code)<<8
			}
			_ = i
			s.reply(proto.BM1384ReplyFrame(proto.Reply{Data: be(v)}))
			if c[0] == proto.BM1384ReadReg {
				break
			}
		}
	case proto.BM1384ChainInactive:
		f.set = 0
	case proto.BM1384SetAddress:
		if f.set < len(f.addrs) {
			f.addrs[f.set] = c[1]
			s.stats.Addresses[f.set] = c[1]
			f.set++
		}
	case proto.BM1384SetFreq:
		f.code = uint16(c[1])<<8 | uint16(c[2])
		s.stats.FreqCode = f.code
		s.stats.FrequencyMHz = proto.BM1384FreqMHz(f.code)
	case proto.BM1384SetBaud:
		if c[1] == 0x10 {
			f.baud = 25000000 / ((int(c[2]&0x1f) + 1) * 8)
		}
	}
}

func (f *bm1384) nonceFrame(w *work, chip, mid int, n [4]byte) []byte {
	return proto.BM1384ReplyFrame(proto.Reply{Nonce: true, Data: n, JobID: w.id})
}

// icarus plays a Block Erupter: 64-byte works, each restarting a sequential
// scan from nonce 0; every diff-1 hit is sent as its 4 nonce bytes.
type icarus struct{}

func (f *icarus) reset(s *Sim)         {}
func (f *icarus) chipBaud() int        { return 115200 }
func (f *icarus) ticketBits(*work) int { return 0 }

func (f *icarus) input(s *Sim) {
	for len(s.in) >= proto.WorkLen {
		w, _ := proto.ParseWork(s.in)
		s.newJob(&work{id: w.ID, mids: []proto.Midstate{w.Midstate}, tail: w.Tail})
		s.in = s.in[proto.WorkLen:]
	}
}

func (f *icarus) nonceFrame(w *work, chip, mid int, n [4]byte) []byte {
	return append([]byte(nil), n[:]...)
}
