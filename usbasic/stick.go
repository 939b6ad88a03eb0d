package usbasic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/usbasic/proto"
)

// StickConfig configures a Stick.
type StickConfig struct {
	Model Model
	// Serial is the stick's USB serial number, used in its name.
	Serial string
	// FrequencyMHz is the hash clock to run at; 0 means the model's
	// default. It is kept within the model's bounds.
	FrequencyMHz float64
	// Logger receives the stick's log lines; nil means silent.
	Logger *slog.Logger
	// SimShareDiff is a test knob, never set for real hardware: the
	// difficulty down to which a simulated chip reports nonces (chipsim's
	// ShareDiff), used instead of the ticket mask's difficulty when checking
	// and crediting nonces. Real chips report nothing below difficulty 1.
	SimShareDiff float64
}

// Stick drives one USB stick: it owns the Port, implements miner.Hasher and
// is handed to the miner. Run may be called once at a time; Status from any
// goroutine.
type Stick struct {
	cfg  StickConfig
	port Port
	name string
	log  *slog.Logger

	hashes   miner.Counter
	nonces   atomic.Uint64
	hwErrors atomic.Uint64
	dups     atomic.Uint64
	dropped  atomic.Uint64 // shares dropped because out was full
	resets   atomic.Uint64
	state    atomic.Int32
	chips    atomic.Int32
	freqBits atomic.Uint64 // float64 MHz

	mu      sync.Mutex
	lastErr string
}

// NewStick returns a stick on port. The stick closes nothing: the caller
// closes the port after Run returns.
func NewStick(port Port, cfg StickConfig) *Stick {
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	name := cfg.Model.Name
	if cfg.Serial != "" {
		name += "-" + cfg.Serial
	}
	s := &Stick{cfg: cfg, port: port, name: name, log: log.With("stick", name)}
	s.chips.Store(int32(cfg.Model.Chips))
	s.setFreq(cfg.Model.ClampMHz(cfg.FrequencyMHz))
	return s
}

// Name is the model name and serial ("compacf-GSF0001").
func (s *Stick) Name() string { return s.name }

// Model is the stick's model.
func (s *Stick) Model() Model { return s.cfg.Model }

func (s *Stick) setFreq(f float64) { s.freqBits.Store(math.Float64bits(f)) }
func (s *Stick) freq() float64     { return math.Float64frombits(s.freqBits.Load()) }

func (s *Stick) setState(st miner.DeviceState) { s.state.Store(int32(st)) }

func (s *Stick) setErr(err error) {
	s.mu.Lock()
	if err == nil {
		s.lastErr = ""
	} else {
		s.lastErr = err.Error()
	}
	s.mu.Unlock()
}

// Status reports the stick's counters; cheap and non-blocking.
func (s *Stick) Status() miner.DeviceStatus {
	s.mu.Lock()
	e := s.lastErr
	s.mu.Unlock()
	chips := int(s.chips.Load())
	f := s.freq()
	m := s.cfg.Model
	detail := m.Title
	if s.cfg.Serial != "" {
		detail += " " + s.cfg.Serial
	}
	return miner.DeviceStatus{
		Name:         s.name,
		Kind:         "usb",
		Detail:       detail,
		State:        miner.DeviceState(s.state.Load()),
		Hashes:       s.hashes.Load(),
		Threads:      chips,
		ExpectedRate: m.ExpectedRate(f, chips),
		HWErrors:     s.hwErrors.Load(),
		Nonces:       s.nonces.Load(),
		FrequencyMHz: f,
		Err:          e,
	}
}

// Resets is the number of times the stick was reset because it stopped
// answering.
func (s *Stick) Resets() uint64 { return s.resets.Load() }

func (s *Stick) newDriver() (driver, *link) {
	switch s.cfg.Model.Family {
	case FamilyBM1397:
		l := newLink(s.port, proto.NewBM1397Scanner(), s.log)
		return &bm1397Driver{link: l, model: s.cfg.Model, target: s.cfg.Model.ClampMHz(s.cfg.FrequencyMHz)}, l
	case FamilyBM1387:
		l := newLink(s.port, proto.NewBM1387Scanner(), s.log)
		return &bm1387Driver{link: l, model: s.cfg.Model, target: s.cfg.Model.ClampMHz(s.cfg.FrequencyMHz)}, l
	case FamilyBM1384:
		l := newLink(s.port, proto.NewBM1384Scanner(), s.log)
		return &bm1384Driver{link: l, model: s.cfg.Model, target: s.cfg.Model.ClampMHz(s.cfg.FrequencyMHz)}, l
	default:
		sc := proto.NewIcarusScanner()
		if s.cfg.Model.Antminer > 0 {
			sc = proto.NewBM1384Scanner() // 5-byte replies
		}
		l := newLink(s.port, sc, s.log)
		l.flushQuiet = true
		return &icarusDriver{link: l, model: s.cfg.Model, target: s.cfg.Model.ClampMHz(s.cfg.FrequencyMHz)}, l
	}
}

// Tuning of the run loop.
const (
	readSlice   = 20 * time.Millisecond // longest wait between stale checks
	pingEvery   = time.Second
	silentAfter = 3500 * time.Millisecond // no frame at all for this long: reset
	maxResets   = 3                       // consecutive resets before giving up
	rampEvery   = time.Second
	minNoNonce  = 5 * time.Second
	maxNoNonce  = 10 * time.Minute
	shareWait   = 50 * time.Millisecond
)

// run-time state of Run.
type runState struct {
	d          driver
	l          *link
	chips      int
	curMHz     float64
	target     float64
	tk         int      // ticket bits in effect
	ticket     [32]byte // ticket target
	ticketDiff float64
	slots      map[byte]*slot
	last       *slot
}

// Run mines the feed's jobs on the stick until ctx is done (nil), the stick
// is unplugged (an error wrapping ErrLost) or it stops answering and resets
// do not bring it back.
func (s *Stick) Run(ctx context.Context, feed *miner.Feed, out chan<- miner.Solution) (err error) {
	s.setState(miner.DeviceStarting)
	defer func() {
		switch {
		case err == nil:
			s.setState(miner.DeviceStopped)
		case errors.Is(err, ErrLost):
			s.setState(miner.DeviceLost)
		default:
			s.setState(miner.DeviceFailed)
		}
		s.setErr(err)
	}()
	d, l := s.newDriver()
	rs := &runState{d: d, l: l, slots: map[byte]*slot{}}
	rs.target = s.cfg.Model.ClampMHz(s.cfg.FrequencyMHz)
	rs.curMHz = rs.target
	if st := s.cfg.Model.StartMHz; st > 0 && st < rs.target {
		rs.curMHz = st
	}
	if err := s.start(ctx, rs); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	s.setState(miner.DeviceRunning)
	// bail ends Run for a port or driver error; one caused by ctx ending is
	// a normal stop.
	bail := func(err error) error {
		if ctx.Err() != nil {
			return nil
		}
		return s.portErr(err)
	}

	var (
		job       *miner.Job
		cur       *slot
		now       = time.Now()
		lastAlive = now
		lastNonce = now
		lastPing  = now
		lastRamp  = now
		rampOK    = 0
		failed    = 0 // resets since the last valid nonce
	)
	for {
		if ctx.Err() != nil {
			return nil
		}
		now = time.Now()
		j := feed.Current()
		switch {
		case j == nil:
			s.setState(miner.DeviceIdle)
			job = nil
		case j != job || cur == nil || now.Sub(cur.sent) >= rs.d.rotate(rs.curMHz, rs.chips, len(cur.mids)):
			if j != job && job == nil {
				s.setState(miner.DeviceRunning)
				lastNonce = now
			}
			job = j
			cur = s.sendJob(rs, j, now)
			if cur == nil {
				return s.fail(fmt.Errorf("%s: cannot send work: %s", s.name, s.statusErr()))
			}
		}
		wait := readSlice
		if cur != nil {
			// wake up in time to rotate (an R909 needs new work every few ms)
			left := time.Until(cur.sent.Add(rs.d.rotate(rs.curMHz, rs.chips, len(cur.mids))))
			wait = max(time.Millisecond, min(wait, left))
		}
		replies, err := rs.l.read(wait)
		if err != nil {
			return bail(err)
		}
		now = time.Now()
		for i := range replies {
			lastAlive = now
			if !replies[i].Nonce {
				continue
			}
			if s.handleNonce(ctx, rs, &replies[i], out) {
				lastNonce, failed = now, 0
				rampOK++
			}
		}
		dead := ""
		if now.Sub(lastPing) >= pingEvery {
			lastPing = now
			if err := rs.d.ping(); err != nil && !errors.Is(err, ErrNotSupported) {
				return bail(err)
			}
		}
		if rs.d.pings() && now.Sub(lastAlive) > silentAfter {
			dead = fmt.Sprintf("no reply for %v", now.Sub(lastAlive).Round(time.Millisecond))
		}
		if job != nil && now.Sub(lastNonce) > s.noNonceLimit(rs) {
			if ok, err := s.probe(ctx, rs); err != nil {
				return bail(err)
			} else if ok {
				lastNonce, cur = time.Now(), nil // alive; resend work
			} else {
				dead = fmt.Sprintf("no nonce for %v", now.Sub(lastNonce).Round(time.Second))
			}
		}
		if dead != "" {
			failed++
			if failed > maxResets {
				return s.fail(fmt.Errorf("%s stopped answering (%s) and %d resets did not bring it back", s.name, dead, maxResets))
			}
			s.resets.Add(1)
			s.log.Warn("stick stopped answering; resetting", "why", dead, "attempt", failed)
			s.setErr(fmt.Errorf("reset: %s", dead))
			s.setState(miner.DeviceStarting)
			if err := s.start(ctx, rs); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			s.setState(miner.DeviceRunning)
			now = time.Now()
			lastAlive, lastNonce, lastPing, cur = now, now, now, nil
			continue
		}
		if step := rs.d.freqStep(); step > 0 && rs.curMHz < rs.target && now.Sub(lastRamp) >= rampEvery && rampOK > 0 {
			lastRamp, rampOK = now, 0
			f, err := rs.d.setFreq(ctx, math.Min(rs.curMHz+step, rs.target))
			if err != nil {
				return bail(err)
			}
			rs.curMHz = f
			s.setFreq(f)
			s.retune(rs)
		}
	}
}

// start (re)initialises the chips, retrying with resets.
func (s *Stick) start(ctx context.Context, rs *runState) error {
	var last error
	for attempt := 0; attempt < maxResets; attempt++ {
		if attempt > 0 {
			s.resets.Add(1)
		}
		chips, err := rs.d.init(ctx)
		if err == nil {
			rs.chips = chips
			s.chips.Store(int32(chips))
			var f float64
			f, err = rs.d.setFreq(ctx, rs.curMHz)
			if err == nil {
				rs.curMHz = f
				s.setFreq(f)
				s.retune(rs)
				rs.slots = map[byte]*slot{}
				s.setErr(nil)
				s.log.Info("stick ready", "chips", chips, "mhz", f, "ticket", rs.ticketDiff)
				return nil
			}
		}
		if errors.Is(err, ErrLost) {
			return s.portErr(err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		last = err
		s.log.Warn("stick did not initialise", "err", err, "attempt", attempt+1)
		s.setErr(err)
	}
	return s.fail(fmt.Errorf("%s does not answer: %w (after %d resets)", s.name, last, maxResets))
}

// retune recomputes the ticket target after a clock or chip change.
func (s *Stick) retune(rs *runState) {
	rs.tk = rs.d.ticketBits()
	rs.ticket = proto.TicketTarget(rs.tk)
	rs.ticketDiff = math.Ldexp(1, rs.tk)
	if d := s.cfg.SimShareDiff; d > 0 {
		rs.ticket = proto.DifficultyTarget(d)
		rs.ticketDiff = d
	}
}

// noNonceLimit is how long the stick may go without a valid nonce before it
// is probed: 20 expected nonce intervals, within bounds.
func (s *Stick) noNonceLimit(rs *runState) time.Duration {
	rate := s.cfg.Model.ExpectedRate(rs.curMHz, rs.chips)
	if rate <= 0 {
		return maxNoNonce
	}
	d := time.Duration(20 * rs.ticketDiff * (1 << 32) / rate * float64(time.Second))
	return max(minNoNonce, min(d, maxNoNonce))
}

// probe checks that a stick that found nothing for long is alive: by a
// known-answer work where the protocol has no register read (Icarus), by the
// reply to a ping otherwise (which the run loop has been watching).
func (s *Stick) probe(ctx context.Context, rs *runState) (bool, error) {
	if p, ok := rs.d.(interface {
		probe(context.Context) (bool, error)
	}); ok {
		return p.probe(ctx)
	}
	return false, nil
}

func (s *Stick) sendJob(rs *runState, j *miner.Job, now time.Time) *slot {
	n := rs.d.midstates(j.VersionMask)
	var accept func(*slot) bool
	if a, ok := rs.d.(interface{ accept(*slot) bool }); ok {
		accept = a.accept
	}
	sl := newSlot(j, n, now, accept)
	sl.id = rs.d.nextID()
	if err := rs.d.send(sl); err != nil {
		s.setErr(err)
		return nil
	}
	rs.slots[sl.id] = sl
	rs.last = sl
	return sl
}

// handleNonce checks a nonce against the job it names (and, as cgminer does,
// its neighbours), counts it, and sends it on when it meets the work's
// target. It reports whether the nonce was valid.
func (s *Stick) handleNonce(ctx context.Context, rs *runState, r *proto.Reply, out chan<- miner.Solution) bool {
	var (
		sl    *slot
		mid   int
		hash  chainhash.Hash
		nonce uint32
	)
	for _, c := range rs.d.candidates(r) {
		cs := rs.slots[c.id]
		if cs == nil || c.mid >= len(cs.versions) {
			continue
		}
		h, n := hashOf(cs, c.mid, r.Data)
		if proto.MeetsTarget((*[32]byte)(&h), &rs.ticket) {
			sl, mid, hash, nonce = cs, c.mid, h, n
			break
		}
	}
	if sl == nil {
		s.hwErrors.Add(1)
		if f, ok := rs.d.(interface{ badNonce() }); ok {
			f.badNonce()
		}
		return false
	}
	if sl.seen == nil {
		sl.seen = map[[4]byte]bool{}
	}
	if sl.seen[r.Data] {
		s.dups.Add(1)
		return true
	}
	sl.seen[r.Data] = true
	s.nonces.Add(1)
	s.hashes.Add(uint64(rs.ticketDiff * (1 << 32)))
	w := sl.work
	if w.Job.IsStale() || !miner.MeetsTarget(&hash, &w.Target) {
		return true
	}
	sol := miner.Solution{Work: w, Nonce: nonce, Version: sl.versions[mid], NTime: w.NTime(), Target: rs.ticket, Source: s.name}
	select {
	case out <- sol:
		return true
	default:
	}
	// The miner is behind. A block is never dropped; a share waits a
	// little, then is dropped rather than stalling the chips.
	wait := shareWait
	if miner.MeetsTarget(&hash, &w.Job.Target) {
		wait = 24 * time.Hour
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case out <- sol:
	case <-ctx.Done():
	case <-t.C:
		s.dropped.Add(1)
		s.log.Warn("solution channel full; share dropped")
	}
	return true
}

func (s *Stick) statusErr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

func (s *Stick) fail(err error) error {
	s.log.Error("stick failed", "err", err)
	return err
}

// portErr wraps a Port error; ErrLost passes through for the hot-plug layer.
func (s *Stick) portErr(err error) error {
	if errors.Is(err, ErrLost) {
		s.log.Warn("stick lost", "err", err)
		return fmt.Errorf("%s: %w", s.name, err)
	}
	return s.fail(fmt.Errorf("%s: %w", s.name, err))
}
