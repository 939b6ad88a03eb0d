package usbasic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soloist-miner/soloist/miner"
)

// backend is the bus as the manager uses it: *Bus, or a fake in tests.
type backend interface {
	list() ([]location, error)
	describe(location) Device
	identify(context.Context, *Device, ProbeFunc)
	Open(context.Context, Device) (Port, error)
	Close() error
}

// runner is what runs on an open stick: the family driver (a *Stick).
type runner interface {
	Run(ctx context.Context, feed *miner.Feed, out chan<- miner.Solution) error
	Status() miner.DeviceStatus
}

// newDriverFunc makes the driver for stick d on port, clocked at mhz.
type newDriverFunc func(port Port, d Device, mhz float64, log *slog.Logger) runner

// retryOpen is how long a stick that could not be opened (busy, no
// permission, set-up failed) waits before the next try; a replug retries
// at once.
const retryOpen = 5 * time.Second

// Manager finds the USB sticks attached, gives one miner.Hasher per stick,
// and keeps them across hot-plug: a stick unplugged mid-job reports
// DeviceLost while the others go on; plugged in again (same serial), the
// same Hasher resumes on it. Sticks first seen after Open are sent on
// Added.
//
// Open starts one goroutine that scans the bus every PollInterval; Close
// stops it. Each Hasher's Run is started by the caller (the miner). All
// methods are safe for concurrent use.
type Manager struct {
	cfg       Config
	log       *slog.Logger
	bus       backend
	newDriver newDriverFunc
	added     chan miner.Hasher
	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once

	mu      sync.Mutex
	sticks  map[string]*usbStick // by Device.Key (or Key@Path for twins)
	order   []*usbStick
	present map[string]Device // what the last scan saw, by location
	errText map[string]string // last logged problem per location
}

// Open scans the bus, sets up a Hasher for every stick found (opening a
// stick is left to its Run) and starts watching for hot-plug. It fails
// with an error wrapping ErrNoUSB or ErrNotBuiltIn when there is no USB
// to use; sticks that cannot be used are not errors (see Devices and
// Explain).
func Open(ctx context.Context, cfg Config) (*Manager, error) {
	bus, err := OpenBus(cfg.Logger)
	if err != nil {
		return nil, err
	}
	m, err := openManager(ctx, cfg, bus, stickDriver(cfg.SimShareDiff))
	if err != nil {
		bus.Close()
		return nil, err
	}
	return m, nil
}

func openManager(ctx context.Context, cfg Config, bus backend, nd newDriverFunc) (*Manager, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Probe == nil {
		cfg.Probe = defaultProbe
	}
	m := &Manager{
		cfg: cfg, log: cfg.Logger, bus: bus, newDriver: nd,
		added:   make(chan miner.Hasher, 64),
		done:    make(chan struct{}),
		sticks:  make(map[string]*usbStick),
		present: make(map[string]Device),
		errText: make(map[string]string),
	}
	if err := m.scan(ctx, false); err != nil {
		return nil, err
	}
	wctx, cancel := context.WithCancel(ctx)
	m.stop = cancel
	go m.watch(wctx)
	return m, nil
}

// Hashers returns one Hasher per stick seen so far, in the order found. A
// stick that is unplugged keeps its Hasher, which reports DeviceLost.
func (m *Manager) Hashers() []miner.Hasher {
	m.mu.Lock()
	defer m.mu.Unlock()
	hs := make([]miner.Hasher, len(m.order))
	for i, s := range m.order {
		hs[i] = s
	}
	return hs
}

// Added delivers the Hasher of each stick first seen after Open (give it
// to Miner.AddHasher). It is closed by Close. Up to 64 wait unread; more
// are dropped with a warning in the log.
func (m *Manager) Added() <-chan miner.Hasher { return m.added }

// Devices returns every device with a miner bridge's VID:PID seen by the
// last scan, usable or not (Device.Err and Explain say why not), in bus
// order.
func (m *Manager) Devices() []Device {
	m.mu.Lock()
	defer m.mu.Unlock()
	devs := make([]Device, 0, len(m.present))
	for _, d := range m.present {
		devs = append(devs, d)
	}
	slices.SortFunc(devs, func(a, b Device) int { return strings.Compare(a.Location(), b.Location()) })
	return devs
}

// Close stops watching the bus and releases libusb. Call it after every
// Hasher's Run has returned.
func (m *Manager) Close() error {
	var err error
	m.closeOnce.Do(func() {
		m.stop()
		<-m.done
		close(m.added)
		err = m.bus.Close()
	})
	return err
}

func (m *Manager) watch(ctx context.Context) {
	defer close(m.done)
	t := time.NewTicker(m.cfg.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := m.scan(ctx, true); err != nil && ctx.Err() == nil {
			m.log.Warn("usb scan failed", "err", err)
		}
	}
}

// scan compares the bus with the last scan: sticks that went away are
// detached from their Hasher, sticks that appeared are identified and
// attached to theirs (a new one when the stick is new, announced on Added
// when announce is set). Devices that could not be used are looked at
// again on each scan, except those that are not miners.
func (m *Manager) scan(ctx context.Context, announce bool) error {
	locs, err := m.bus.list()
	switch {
	case err != nil && announce && errors.Is(err, ErrNoUSB):
		// The last stick (and hub) went away: everything is unplugged.
	case err != nil && len(locs) == 0:
		return err
	}
	seen := make(map[string]location, len(locs))
	for _, l := range locs {
		seen[l.key()] = l
	}
	m.mu.Lock()
	prev := m.present
	m.mu.Unlock()
	next := make(map[string]Device, len(seen))
	for k, d := range prev {
		if _, ok := seen[k]; ok {
			next[k] = d
			continue
		}
		m.log.Info("usb device removed", "at", k, "device", d.HasherName())
		m.mu.Lock()
		for _, s := range m.order {
			s.detach(k)
		}
		delete(m.errText, k)
		m.mu.Unlock()
	}
	slices.SortFunc(locs, func(a, b location) int { return strings.Compare(a.key(), b.key()) })
	for _, l := range locs {
		k := l.key()
		if d, ok := next[k]; ok && (d.Err == nil || errors.Is(d.Err, ErrNotMiner)) {
			continue
		}
		d := m.bus.describe(l)
		m.bus.identify(ctx, &d, m.cfg.Probe)
		next[k] = d
		if d.Err != nil {
			m.mu.Lock()
			if m.errText[k] != d.Err.Error() {
				m.errText[k] = d.Err.Error()
				m.log.Warn("usb device not used", "at", k, "id", d.ID(), "err", d.Err)
			}
			m.mu.Unlock()
			continue
		}
		m.attach(d, announce)
	}
	m.mu.Lock()
	m.present = next
	m.mu.Unlock()
	return nil
}

// attach gives stick d to its Hasher, making one when the stick is new.
func (m *Manager) attach(d Device, announce bool) {
	m.mu.Lock()
	key, name := d.Key(), d.HasherName()
	s := m.sticks[key]
	if s != nil && s.presentElsewhere(d) {
		// Another stick with the same serial (CP2102 sticks often all say
		// 0001): tell them apart by port.
		key += "@" + d.Path
		name += "-" + strings.NewReplacer(".", "_", "-", "_").Replace(d.Path)
		s = m.sticks[key]
	}
	isNew := s == nil
	if isNew {
		mhz, asked := m.cfg.freqFor(d)
		if asked > 0 && mhz != asked {
			m.log.Warn("usb frequency out of range for the model; clamped", "device", name, "asked_mhz", asked, "mhz", mhz,
				"min_mhz", d.Model.MinMHz, "max_mhz", d.Model.MaxMHz)
		}
		s = &usbStick{m: m, name: name, key: key, model: d.Model, mhz: mhz, wake: make(chan struct{})}
		m.sticks[key] = s
		m.order = append(m.order, s)
	}
	m.mu.Unlock()
	s.attach(d)
	m.log.Info("usb stick found", "device", s.name, "model", d.Model.Title, "at", d.Location(), "probed", d.Probed, "new", isNew)
	if isNew && announce {
		select {
		case m.added <- s:
		default:
			m.log.Warn("usb stick not announced: nobody reads Manager.Added", "device", s.name)
		}
	}
}

// usbStick is the Hasher of one stick, kept across unplug and replug. It
// runs a fresh driver on each attachment and adds up their counters.
type usbStick struct {
	m       *Manager
	name    string
	key     string
	model   Model
	mhz     float64
	running atomic.Bool

	mu      sync.Mutex
	dev     Device // where it was last seen
	present bool
	gen     int           // attachments so far
	wake    chan struct{} // closed on the next attachment
	drv     runner        // running driver, nil between drivers
	base    miner.DeviceStatus
	last    miner.DeviceStatus // last word of the ended driver, counters zeroed
	state   miner.DeviceState
	errText string
}

// Name is the stick's hasher name ("compacf-GSF0001").
func (s *usbStick) Name() string { return s.name }

func (s *usbStick) attach(d Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dev, s.present = d, true
	s.gen++
	close(s.wake)
	s.wake = make(chan struct{})
}

// detach marks the stick gone if it was at location at. Called with the
// manager's lock held.
func (s *usbStick) detach(at string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.present && s.dev.Location() == at {
		s.present = false
	}
}

// presentElsewhere reports whether the stick is attached at another
// location than d's (so d is a different stick with the same key). Sticks
// that went away were detached before new ones are attached.
func (s *usbStick) presentElsewhere(d Device) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.present && s.dev.Location() != d.Location()
}

// waitAttached waits until the stick is present with an attachment newer
// than after (or any, when after is 0 or fresh is false). It returns false
// when ctx is done.
func (s *usbStick) waitAttached(ctx context.Context, after int, fresh bool, timeout time.Duration) (Device, int, bool) {
	var timer <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		timer = t.C
	}
	for {
		s.mu.Lock()
		d, gen, ok, wake := s.dev, s.gen, s.present && (!fresh || s.gen > after), s.wake
		s.mu.Unlock()
		if ok {
			return d, gen, true
		}
		select {
		case <-ctx.Done():
			return Device{}, 0, false
		case <-wake:
		case <-timer:
			fresh, timer = false, nil
		}
	}
}

func (s *usbStick) setState(st miner.DeviceState, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.state = st
	s.errText = ""
	if err != nil {
		s.errText = err.Error()
	}
}

// lost marks the stick gone after its driver found it so at d.
func (s *usbStick) lost(d Device, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dev.Location() == d.Location() {
		s.present = false
	}
	s.state, s.errText = miner.DeviceLost, err.Error()
}

// retire adds the counters of a driver that ended to the stick's.
func (s *usbStick) retire(drv runner) {
	st := drv.Status()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base.Hashes += st.Hashes
	s.base.Nonces += st.Nonces
	s.base.HWErrors += st.HWErrors
	st.Hashes, st.Nonces, st.HWErrors = 0, 0, 0
	s.last, s.drv = st, nil
}

// Run drives the stick until ctx is done: it opens the stick, runs its
// driver, and when the stick is unplugged (or its driver gives up) waits
// for it to be plugged in again and starts over. It returns nil when ctx
// is done.
func (s *usbStick) Run(ctx context.Context, feed *miner.Feed, out chan<- miner.Solution) error {
	if !s.running.CompareAndSwap(false, true) {
		return fmt.Errorf("usbasic: %s: already running", s.name)
	}
	defer s.running.Store(false)
	defer s.setState(miner.DeviceStopped, nil)
	log := s.m.log.With("device", s.name)
	used, fresh := 0, false
	var retry time.Duration
	for {
		d, gen, ok := s.waitAttached(ctx, used, fresh, retry)
		if !ok {
			return nil
		}
		used, fresh, retry = gen, false, 0
		s.setState(miner.DeviceStarting, nil)
		port, err := s.m.bus.Open(ctx, d)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, ErrLost) {
				s.lost(d, err)
				fresh = true
				continue
			}
			log.Warn("usb stick cannot be opened; will retry", "at", d.Location(), "err", err)
			s.setState(miner.DeviceLost, err)
			fresh, retry = true, retryOpen
			continue
		}
		drv := s.m.newDriver(port, d, s.mhz, log)
		s.mu.Lock()
		s.drv = drv
		s.mu.Unlock()
		err = drv.Run(ctx, feed, out)
		port.Close()
		s.retire(drv)
		switch {
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, ErrLost):
			log.Warn("usb stick lost; waiting for it to come back", "at", d.Location(), "err", err)
			s.lost(d, err)
			fresh = true
		default:
			if err == nil {
				err = errors.New("driver stopped")
			}
			log.Error("usb stick failed; replug it to try again", "at", d.Location(), "err", err)
			s.setState(miner.DeviceFailed, err)
			fresh = true
		}
	}
}

// Status is the running driver's status, or the last one's, with the
// counters of every driver the stick has had, and DeviceLost while the
// stick is unplugged.
func (s *usbStick) Status() miner.DeviceStatus {
	s.mu.Lock()
	drv, base, present, state, errText, last, dev := s.drv, s.base, s.present, s.state, s.errText, s.last, s.dev
	s.mu.Unlock()
	var st miner.DeviceStatus
	if drv != nil {
		st = drv.Status()
	} else {
		st = last
		st.State, st.Err = state, errText
	}
	st.Name, st.Kind = s.name, "usb"
	if st.Detail == "" {
		st.Detail = strings.TrimSpace(s.model.Title + " " + dev.Serial)
	}
	st.Hashes += base.Hashes
	st.Nonces += base.Nonces
	st.HWErrors += base.HWErrors
	if st.FrequencyMHz == 0 {
		st.FrequencyMHz = s.mhz
	}
	if st.Threads == 0 {
		st.Threads = s.model.Chips
	}
	if st.ExpectedRate == 0 {
		st.ExpectedRate = s.model.ExpectedRate(st.FrequencyMHz, st.Threads)
	}
	if !present && st.State != miner.DeviceStopped {
		st.State = miner.DeviceLost
		if st.Err == "" {
			st.Err = "unplugged"
		}
	}
	return st
}
