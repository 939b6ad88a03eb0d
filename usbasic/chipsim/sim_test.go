package chipsim

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exchange writes frames and returns every byte the chips send back within
// wait.
func exchange(t *testing.T, s *Sim, wait time.Duration, frames ...string) []byte {
	t.Helper()
	for _, f := range frames {
		s.Input(unhex(t, f))
	}
	var out []byte
	buf := make([]byte, 512)
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		n := s.ReadOutput(buf, 10*time.Millisecond)
		out = append(out, buf[:n]...)
	}
	return out
}

func TestBM1397Replies(t *testing.T) {
	s := New(Config{Family: BM1397, Chips: 2})
	defer s.Close()
	// Enumeration: every chip answers with ADDR 0 (§4.4).
	got := exchange(t, s, 50*time.Millisecond, "55 AA 52 05 00 00 0A")
	want := unhex(t, "AA 55 13 97 18 00 00 00 06 AA 55 13 97 18 00 00 00 06")
	if !bytes.Equal(got, want) {
		t.Errorf("chip id read: % X, want % X", got, want)
	}
	// Chain inactive, two addresses, then PLL0 = 200 MHz and its read-back.
	got = exchange(t, s, 50*time.Millisecond,
		"55 AA 53 05 00 00 03", "55 AA 40 05 00 00 1C", hex.EncodeToString(proto.BM1397SetAddressFrame(0x80)),
		"55 AA 51 09 00 08 40 A0 02 25 16", "55 AA 52 05 00 08 07")
	if want := unhex(t, "AA 55 C0 A0 02 25 00 08 04"); !bytes.HasPrefix(got, want) {
		t.Errorf("PLL read: % X, want % X first", got, want)
	}
	st := s.Stats()
	if st.FrequencyMHz != 200 || !bytes.Equal(st.Addresses, []byte{0, 0x80}) {
		t.Errorf("stats %+v", st)
	}
	// A frame with a bad CRC is ignored.
	if got := exchange(t, s, 30*time.Millisecond, "55 AA 52 05 00 00 0B"); len(got) != 0 {
		t.Errorf("bad-CRC read answered: % X", got)
	}
	// Ticket difficulty 1, then the busy work: exactly cgminer's two nonces.
	busy, _ := proto.BM1397JobFrame(&proto.Job{ID: 0x10, Tail: proto.BusyWorkTail, Midstates: []proto.Midstate{{}}})
	got = exchange(t, s, 50*time.Millisecond, "55 AA 51 09 00 14 00 00 00 00 1C", hex.EncodeToString(busy))
	want = append(proto.BM1397ReplyFrame(proto.Reply{Nonce: true, Data: [4]byte{0x72, 0x03, 0xEA, 0x83}, JobID: 0x10}),
		proto.BM1397ReplyFrame(proto.Reply{Nonce: true, Data: [4]byte{0xE1, 0x6B, 0xF8, 0x09}, JobID: 0x10})...)
	if !bytes.Equal(got, want) {
		t.Errorf("busy work: % X, want % X", got, want)
	}
	// At ticket difficulty 16 neither is reported (§4.11).
	if got := exchange(t, s, 50*time.Millisecond, "55 AA 51 09 00 14 00 00 00 F0 1E", hex.EncodeToString(busy)); len(got) != 0 {
		t.Errorf("busy work at ticket 16: % X", got)
	}
}

func TestBM1397GoldenJob(t *testing.T) {
	s := New(Config{Family: BM1397})
	defer s.Close()
	// §9.3 (A): at ticket 16 only the diff-683 nonce comes back.
	job := "55 AA 21 36 08 01 00 00 00 00 3A AE 05 17 B5 25 70 64 D6 37 78 EB 46 A9 A8 8F C8 3E 68 99 B4 11 16 03 0B 4C 5F 48 8F 5D EB 70 BE DC EC 31 6A DB D0 CD AC D5 E4 B1 DE 9D"
	got := exchange(t, s, 50*time.Millisecond, "55 AA 51 09 00 14 00 00 00 F0 1E", job)
	if want := unhex(t, "AA 55 D1 9E 02 0A 00 08 90"); !bytes.Equal(got, want) {
		t.Errorf("got % X, want % X", got, want)
	}
	// At ticket 1 both.
	got = exchange(t, s, 50*time.Millisecond, "55 AA 51 09 00 14 00 00 00 00 1C", job)
	if want := unhex(t, "AA 55 36 99 EF FC 00 08 85 AA 55 D1 9E 02 0A 00 08 90"); !bytes.Equal(got, want) {
		t.Errorf("got % X, want % X", got, want)
	}
}

func TestBM1397Baud(t *testing.T) {
	s := New(Config{Family: BM1397, HostBaud: 115384})
	defer s.Close()
	if got := exchange(t, s, 30*time.Millisecond, "55 AA 52 05 00 00 0A"); len(got) != 9 {
		t.Fatalf("no answer at 115384 baud: % X", got)
	}
	// The chip moves to 1.5625 MBd; until the host follows, nothing gets through.
	exchange(t, s, 0, "55 AA 51 09 00 18 00 00 61 31 1C")
	if got := exchange(t, s, 30*time.Millisecond, "55 AA 52 05 00 00 0A"); len(got) != 0 {
		t.Errorf("answer across a baud mismatch: % X", got)
	}
	s.SetHostBaud(1500000)
	if got := exchange(t, s, 30*time.Millisecond, "55 AA 52 05 00 00 0A"); len(got) != 9 {
		t.Errorf("no answer at 1.5 MBd: % X", got)
	}
	// A reset puts the chip back at 115 740.
	s.SetReset(true)
	if got := exchange(t, s, 30*time.Millisecond, "55 AA 52 05 00 00 0A"); len(got) != 0 {
		t.Errorf("answer while held in reset: % X", got)
	}
	s.SetReset(false)
	s.SetHostBaud(115384)
	if got := exchange(t, s, 30*time.Millisecond, "55 AA 52 05 00 00 0A"); len(got) != 9 {
		t.Errorf("no answer after reset: % X", got)
	}
	if st := s.Stats(); st.Resets != 1 || st.ChipBaud != 115740 {
		t.Errorf("stats %+v", st)
	}
}

func TestBM1387Replies(t *testing.T) {
	s := New(Config{Family: BM1387, Chips: 2})
	defer s.Close()
	got := exchange(t, s, 50*time.Millisecond, "54 05 00 00 19")
	if want := unhex(t, "13 87 90 00 00 00 07 13 87 90 00 00 00 07"); !bytes.Equal(got, want) {
		t.Errorf("chip id: % X, want % X", got, want)
	}
	got = exchange(t, s, 50*time.Millisecond, "55 05 00 00 10", "41 05 00 00 15", "41 05 80 00 19",
		"58 09 00 0C 00 50 02 41 0C", "44 05 80 0C 08")
	if want := unhex(t, "80 50 02 41 00 00 05"); !bytes.Equal(got, want) {
		t.Errorf("PLL ping: % X, want % X", got, want)
	}
	busy, _ := proto.BM1387JobFrame(&proto.Job{ID: 0x21, Tail: proto.BusyWorkTail, Midstates: []proto.Midstate{{}}})
	got = exchange(t, s, 50*time.Millisecond, hex.EncodeToString(busy))
	sc := proto.NewBM1387Scanner()
	sc.Write(got)
	var ns [][4]byte
	for r, ok := sc.Next(); ok; r, ok = sc.Next() {
		if !r.Nonce || r.JobID != 0x21 {
			t.Errorf("reply %+v", r)
		}
		ns = append(ns, r.Data)
	}
	if len(ns) != 2 || ns[0] != proto.BusyWorkNonces[0] || ns[1] != proto.BusyWorkNonces[1] {
		t.Errorf("busy nonces %X", ns)
	}
	if st := s.Stats(); st.FrequencyMHz != 250 {
		t.Errorf("frequency %v", st.FrequencyMHz)
	}
}

func TestBM1384AndIcarus(t *testing.T) {
	s := New(Config{Family: BM1384})
	defer s.Close()
	if got := exchange(t, s, 50*time.Millisecond, "84 00 00 11"); !bytes.Equal(got, unhex(t, "13 84 00 00 13")) {
		t.Errorf("chip id % X", got)
	}
	// The open-core task has no nonce at all; the golden work one.
	exchange(t, s, 0, "82 0B 83 19")
	if got := exchange(t, s, 50*time.Millisecond, hex.EncodeToString(proto.WorkFrame(&proto.Work{ID: 3}))); len(got) != 0 {
		t.Errorf("open-core task answered % X", got)
	}
	g, _ := proto.ParseWork(proto.IcarusGoldenWork)
	g.ID = 0x11
	if got := exchange(t, s, 50*time.Millisecond, hex.EncodeToString(proto.WorkFrame(&g))); !bytes.Equal(got, unhex(t, "00 01 87 A2 91")) {
		t.Errorf("golden work as BM1384 work: % X", got)
	}
	if st := s.Stats(); st.FrequencyMHz != 150 {
		t.Errorf("frequency %v", st.FrequencyMHz)
	}

	e := New(Config{Family: Icarus, NeedEnable: true})
	defer e.Close()
	if got := exchange(t, e, 30*time.Millisecond, hex.EncodeToString(proto.IcarusGoldenWork)); len(got) != 0 {
		t.Errorf("CP2102 passed data before IFC_ENABLE: % X", got)
	}
	e.SetEnabled(true)
	if got := exchange(t, e, 50*time.Millisecond, hex.EncodeToString(proto.IcarusGoldenWork)); !bytes.Equal(got, unhex(t, "00 01 87 A2")) {
		t.Errorf("golden work: % X", got)
	}
}

// TestScanFindsValidNonces checks the scanning path (an unknown job) with
// the share-difficulty knob.
func TestScanFindsValidNonces(t *testing.T) {
	for _, f := range []Family{BM1397, BM1387, BM1384, Icarus} {
		t.Run(string(f), func(t *testing.T) {
			s := New(Config{Family: f, ShareDiff: 1.0 / (1 << 18), Chips: 3, CorruptEvery: 5})
			defer s.Close()
			m := proto.Midstate{1, 2, 3, 4, 5, 6, 7, 8}
			tail := [12]byte{9, 10, 11, 12}
			var frame []byte
			var sc *proto.Scanner
			switch f {
			case BM1397:
				frame, _ = proto.BM1397JobFrame(&proto.Job{ID: 0x14, Tail: tail, Midstates: []proto.Midstate{m}})
				sc = proto.NewBM1397Scanner()
			case BM1387:
				frame, _ = proto.BM1387JobFrame(&proto.Job{ID: 0x14, Tail: tail, Midstates: []proto.Midstate{m}})
				sc = proto.NewBM1387Scanner()
			case BM1384:
				frame = proto.WorkFrame(&proto.Work{Midstate: m, Tail: tail, ID: 0x14})
				sc = proto.NewBM1384Scanner()
			default:
				frame = proto.WorkFrame(&proto.Work{Midstate: m, Tail: tail})
				sc = proto.NewIcarusScanner()
			}
			got := exchange(t, s, 0, hex.EncodeToString(frame))
			buf := make([]byte, 512)
			for deadline := time.Now().Add(10 * time.Second); s.Stats().Nonces < 10 && time.Now().Before(deadline); {
				n := s.ReadOutput(buf, 10*time.Millisecond)
				got = append(got, buf[:n]...)
			}
			s.Close() // no more output
			for n := s.ReadOutput(buf, 0); n > 0; n = s.ReadOutput(buf, 0) {
				got = append(got, buf[:n]...)
			}
			sc.Write(got)
			h := proto.NewHasher(m, tail)
			target := proto.DifficultyTarget(1.0 / (1 << 18))
			good, bad := 0, 0
			for r, ok := sc.Next(); ok; r, ok = sc.Next() {
				hash := h.Hash(r.Data)
				if proto.MeetsTarget(&hash, &target) {
					good++
				} else {
					bad++
				}
			}
			st := s.Stats()
			if good < 3 || bad != st.Corrupted || st.Nonces != good+bad {
				t.Errorf("%d good, %d bad nonces; stats %+v", good, bad, st)
			}
		})
	}
}

func TestSilentAfterJobs(t *testing.T) {
	s := New(Config{Family: Icarus, SilentAfterJobs: 1, RecoverOnReset: true})
	defer s.Close()
	if got := exchange(t, s, 30*time.Millisecond, hex.EncodeToString(proto.IcarusGoldenWork)); len(got) != 0 {
		t.Errorf("silent chip answered % X", got)
	}
	s.SetReset(true)
	s.SetReset(false)
	s2 := New(Config{Family: Icarus, SilentAfterJobs: 2})
	defer s2.Close()
	if got := exchange(t, s2, 30*time.Millisecond, hex.EncodeToString(proto.IcarusGoldenWork)); len(got) != 4 {
		t.Errorf("first job: % X", got)
	}
}

func TestPort(t *testing.T) {
	p := NewPort(PortConfig{Config: Config{Family: BM1384}})
	defer p.Close()
	if err := p.ResetChips(time.Second); err != ErrNoResetLine {
		t.Errorf("ResetChips on a CP2102 stick = %v", err)
	}
	if _, err := p.Write(unhex(t, "84 00 00 11")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := p.Read(buf, 100*time.Millisecond); err != nil || n != 5 {
		t.Errorf("Read = %d, %v", n, err)
	}
	if n, err := p.Read(buf, 10*time.Millisecond); n != 0 || err != nil {
		t.Errorf("idle Read = %d, %v", n, err)
	}
	p.Unplug()
	if _, err := p.Write([]byte{1}); err != ErrUnplugged {
		t.Errorf("Write after unplug = %v", err)
	}
	if _, err := p.Read(buf, time.Millisecond); err != ErrUnplugged {
		t.Errorf("Read after unplug = %v", err)
	}
}

// FuzzSimInput feeds arbitrary host bytes to every family's frame parser:
// the simulator must not panic or hang.
func FuzzSimInput(f *testing.F) {
	f.Add([]byte{0x55, 0xAA, 0x52, 0x05, 0x00, 0x00, 0x0A})
	f.Add([]byte{0x54, 0x05, 0x00, 0x00, 0x19, 0x21, 0x36})
	f.Add([]byte{0x84, 0x00, 0x00, 0x11, 0x82, 0x07})
	f.Add(proto.IcarusGoldenWork)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, fam := range []Family{BM1397, BM1387, BM1384, Icarus, Antminer} {
			s := New(Config{Family: fam, Chips: 2, HashRate: 1})
			s.Input(b)
			s.Input(b)
			s.Close()
		}
	})
}
