package chipsim

import (
	"encoding/binary"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// Family names a chip family, as usbasic.Family.String() spells it in
// lower case.
type Family string

// Families.
const (
	BM1397 Family = "bm1397"
	BM1387 Family = "bm1387"
	BM1384 Family = "bm1384"
	Icarus Family = "icarus"
	// Antminer plays an AntMiner U1/U2/U3: Icarus-style 64-byte works
	// whose byte 51 is a work id, 4-byte BM138x commands (clock, voltage),
	// 5-byte replies N0..N3 0x80|id, a sequential scan from nonce 0.
	Antminer Family = "antminer"
)

// Config describes the simulated stick.
type Config struct {
	Family Family
	// Chips on the chain (default 1).
	Chips int
	// Cores per chip, reported in the chip-address register (BM1397
	// CORE_NUM); informational.
	Cores int
	// ShareDiff > 0 makes the chips report every nonce of at least this
	// difficulty, whatever their ticket mask (test knob, e.g. 1.0/(1<<20)).
	ShareDiff float64
	// HashRate is the number of hashes per second the simulator computes
	// (default 1e6); it bounds the CPU the simulator takes.
	HashRate float64
	// SilentAfterJobs > 0: after that many jobs the chips stop answering
	// anything. A reset brings them back only with RecoverOnReset.
	SilentAfterJobs int
	RecoverOnReset  bool
	// Garbage: random bytes are sent before about one reply in four.
	Garbage bool
	// CorruptEvery > 0: every n-th nonce reply carries a flipped nonce bit.
	CorruptEvery int
	// HostBaud is the bridge's baud rate at start; 0 means "matches the
	// chip" (in-process use). When host and chip rates differ by more than
	// 5 %, bytes are lost in both directions, as on a real line.
	HostBaud int
	// NeedEnable: a CP2102 passes no data until IFC_ENABLE (exec mode).
	NeedEnable bool
	// Seed for the garbage and corruption generator.
	Seed uint64
}

// family is the protocol-specific half of a Sim. Its methods run with
// s.mu held.
type family interface {
	// input consumes host bytes from s.in, leaving an incomplete frame.
	input(s *Sim)
	// reset returns the chips to their power-on state.
	reset(s *Sim)
	// nonceFrame encodes a nonce reply.
	nonceFrame(w *work, chip, mid int, n [4]byte) []byte
	// chipBaud is the chips' UART rate.
	chipBaud() int
	// ticketBits is the chip difficulty 2^k set by the host.
	ticketBits(w *work) int
}

// work is a job the chips are hashing. Immutable once published.
type work struct {
	id      byte
	mids    []proto.Midstate
	tail    [12]byte
	ticketK int       // BM1384 per-work ticket
	known   [][4]byte // non-nil: the job's complete diff-1 nonce set
	seq     uint64
}

// Sim is a simulated chain of chips behind a UART.
type Sim struct {
	cfg Config
	fam family

	mu         sync.Mutex
	in         []byte // host bytes not yet consumed
	lastIn     time.Time
	out        []byte
	outReady   chan struct{} // cap 1: out became non-empty
	cur        *work
	curChanged chan struct{} // cap 1
	seq        uint64
	jobs       int // jobs received since start (or reset with RecoverOnReset)
	silent     bool
	resetHeld  bool
	hostBaud   int
	enabled    bool
	closed     bool
	rng        *rand.Rand
	nonces     int
	stats      Stats

	done chan struct{}
	wg   sync.WaitGroup
}

// Stats counts what the simulator saw and did.
type Stats struct {
	Jobs         int     // jobs / works received
	Commands     int     // command frames accepted
	BadFrames    int     // frames dropped (bad CRC, unknown header)
	Nonces       int     // nonce replies sent
	Corrupted    int     // of which corrupted on purpose
	Resets       int     // reset pulses
	FrequencyMHz float64 // chip 0's hash clock (BM1384 decoding for AntMiner codes)
	FreqCode     uint16  // last BM1384/AntMiner clock code received
	TicketBits   int     // chip difficulty 2^k in effect
	ChipBaud     int
	Chips        int
	Addresses    []byte // chip addresses in chain order
	LastJobID    byte
	Midstates    int // midstates in the last job
}

// New starts a simulator.
func New(cfg Config) *Sim {
	if cfg.Chips <= 0 {
		cfg.Chips = 1
	}
	if cfg.HashRate <= 0 {
		cfg.HashRate = 1e6
	}
	s := &Sim{
		cfg:        cfg,
		outReady:   make(chan struct{}, 1),
		curChanged: make(chan struct{}, 1),
		hostBaud:   cfg.HostBaud,
		enabled:    !cfg.NeedEnable,
		rng:        rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		done:       make(chan struct{}),
	}
	switch cfg.Family {
	case BM1397:
		s.fam = newBM1397(cfg)
	case BM1387:
		s.fam = newBM1387(cfg)
	case BM1384, Antminer:
		s.fam = newBM1384(cfg)
	default:
		s.fam = &icarus{}
	}
	s.fam.reset(s)
	s.wg.Add(1)
	go s.hashLoop()
	return s
}

// Close stops the hashing goroutine.
func (s *Sim) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	close(s.done)
	s.mu.Unlock()
	s.wg.Wait()
}

// Stats returns a copy of the counters.
func (s *Sim) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Addresses = append([]byte(nil), st.Addresses...)
	st.ChipBaud = s.fam.chipBaud()
	st.Nonces = s.nonces
	if s.cur != nil {
		st.TicketBits = s.fam.ticketBits(s.cur)
	}
	return st
}

// lineOK reports whether bytes get through: bridge enabled, chips out of
// reset, host and chip baud within 5 %.
func (s *Sim) lineOK() bool {
	if !s.enabled || s.resetHeld {
		return false
	}
	if s.hostBaud == 0 {
		return true
	}
	c := float64(s.fam.chipBaud())
	d := float64(s.hostBaud) - c
	return d <= 0.05*c && d >= -0.05*c
}

// Input feeds bytes the host wrote.
func (s *Sim) Input(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || !s.lineOK() || s.silent {
		return
	}
	now := time.Now()
	// A partial frame followed by a long gap is dropped: real UART
	// receivers time out, and it resynchronises protocols without framing.
	if len(s.in) > 0 && now.Sub(s.lastIn) > 50*time.Millisecond {
		s.stats.BadFrames++
		s.in = s.in[:0]
	}
	s.lastIn = now
	s.in = append(s.in, p...)
	s.fam.input(s)
}

// SetHostBaud records a bridge baud change.
func (s *Sim) SetHostBaud(baud int) {
	s.mu.Lock()
	s.hostBaud = baud
	s.mu.Unlock()
}

// SetEnabled records a CP2102 IFC_ENABLE.
func (s *Sim) SetEnabled(on bool) {
	s.mu.Lock()
	s.enabled = on
	s.mu.Unlock()
}

// SetReset drives the chips' reset line: held puts every chip in its
// power-on state and keeps it silent until released.
func (s *Sim) SetReset(held bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if held && !s.resetHeld {
		s.stats.Resets++
		s.fam.reset(s)
		s.in = s.in[:0]
		s.publish(nil)
		if s.cfg.RecoverOnReset {
			s.silent, s.jobs = false, 0
		}
	}
	s.resetHeld = held
}

// PurgeOutput drops chip→host bytes not yet read.
func (s *Sim) PurgeOutput() {
	s.mu.Lock()
	s.out = s.out[:0]
	s.mu.Unlock()
}

// ReadOutput waits up to timeout for chip→host bytes and copies them to p.
func (s *Sim) ReadOutput(p []byte, timeout time.Duration) int {
	deadline := time.Now().Add(timeout)
	for {
		s.mu.Lock()
		if len(s.out) > 0 {
			n := copy(p, s.out)
			s.out = append(s.out[:0], s.out[n:]...)
			if len(s.out) > 0 {
				s.signal()
			}
			s.mu.Unlock()
			return n
		}
		closed := s.closed
		s.mu.Unlock()
		if closed {
			return 0
		}
		d := time.Until(deadline)
		if d <= 0 {
			return 0
		}
		t := time.NewTimer(d)
		select {
		case <-s.outReady:
		case <-t.C:
		case <-s.done:
		}
		t.Stop()
	}
}

func (s *Sim) signal() {
	select {
	case s.outReady <- struct{}{}:
	default:
	}
}

// reply queues chip→host bytes (s.mu held).
func (s *Sim) reply(b []byte) {
	if !s.lineOK() || s.silent {
		return
	}
	if s.cfg.Garbage && s.rng.IntN(4) == 0 {
		g := make([]byte, 1+s.rng.IntN(6))
		for i := range g {
			g[i] = byte(s.rng.Uint32())
		}
		s.out = append(s.out, g...)
	}
	s.out = append(s.out, b...)
	if len(s.out) > 1<<20 { // nobody reads: keep the newest
		s.out = append(s.out[:0], s.out[len(s.out)-1<<19:]...)
	}
	s.signal()
}

// newJob publishes a job sent by the host (s.mu held).
func (s *Sim) newJob(w *work) {
	s.jobs++
	s.stats.Jobs++
	s.stats.LastJobID = w.id
	s.stats.Midstates = len(w.mids)
	if s.cfg.SilentAfterJobs > 0 && s.jobs >= s.cfg.SilentAfterJobs {
		s.silent = true
	}
	w.known = knownNonces(w.mids, w.tail)
	s.publish(w)
}

func (s *Sim) publish(w *work) {
	s.seq++
	if w != nil {
		w.seq = s.seq
	}
	s.cur = w
	select {
	case s.curChanged <- struct{}{}:
	default:
	}
}

// target returns the difficulty filter of w: ShareDiff when set, else the
// chip ticket 2^k (top 32+k hash bits zero).
func (s *Sim) target(w *work) (t [32]byte) {
	if s.cfg.ShareDiff > 0 {
		return proto.DifficultyTarget(s.cfg.ShareDiff)
	}
	return proto.TicketTarget(s.fam.ticketBits(w))
}

// found is called by the hashing goroutine for a hit (s.mu held).
func (s *Sim) found(w *work, chip, mid int, n [4]byte) {
	if s.cur != w || s.silent {
		return
	}
	s.nonces++
	if s.cfg.CorruptEvery > 0 && s.nonces%s.cfg.CorruptEvery == 0 {
		n[3] ^= 0x01
		s.stats.Corrupted++
	}
	s.reply(s.fam.nonceFrame(w, chip, mid, n))
}

// hashLoop scans the current work at cfg.HashRate.
func (s *Sim) hashLoop() {
	defer s.wg.Done()
	var (
		w       *work
		hashers []*proto.Hasher
		next    []uint32 // per chip
		target  [32]byte
		start   time.Time
		done    float64
	)
	const batch = 256
	for {
		s.mu.Lock()
		cur := s.cur
		if cur != w {
			w = cur
			hashers, next = nil, nil
			if w != nil {
				for _, m := range w.mids {
					hashers = append(hashers, proto.NewHasher(m, w.tail))
				}
				next = make([]uint32, s.cfg.Chips)
				target = s.target(w)
				if w.known != nil {
					for _, n := range w.known {
						h := hashers[0].Hash(n)
						if meets(&h, &target) {
							s.found(w, chipOf(n, s.cfg.Chips), 0, n)
						}
					}
				}
			}
			start, done = time.Now(), 0
		}
		idle := w == nil || w.known != nil || s.silent || s.resetHeld
		s.mu.Unlock()
		if idle {
			select {
			case <-s.done:
				return
			case <-s.curChanged:
			case <-time.After(20 * time.Millisecond):
			}
			continue
		}
		select {
		case <-s.done:
			return
		default:
		}
		per := uint32(1<<32/uint64(s.cfg.Chips) - 1) // last counter value of a chip's range
		for chip := range next {
			base := uint32(uint64(chip) << 32 / uint64(s.cfg.Chips))
			for i := 0; i < batch; i++ {
				c := next[chip]
				if c == per {
					next[chip] = 0 // the chip starts the job over
				} else {
					next[chip] = c + 1
				}
				var n [4]byte
				binary.BigEndian.PutUint32(n[:], base+c)
				for mid, h := range hashers {
					hash := h.Hash(n)
					if meets(&hash, &target) {
						s.mu.Lock()
						s.found(w, chip, mid, n)
						s.mu.Unlock()
					}
				}
			}
		}
		done += float64(batch * len(next) * len(hashers))
		if ahead := time.Duration(done/s.cfg.HashRate*float64(time.Second)) - time.Since(start); ahead > 0 {
			select {
			case <-s.done:
				return
			case <-s.curChanged:
			case <-time.After(ahead):
			}
		}
	}
}

func meets(h *[32]byte, t *[32]byte) bool { return proto.MeetsTarget(h, t) }

// chipOf attributes a nonce to a chip by its top byte.
func chipOf(n [4]byte, chips int) int {
	return int(n[0]) * chips / 256
}
