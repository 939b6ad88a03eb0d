package usbasic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/miner"
)

// fakeBus is a bus whose sticks the test plugs and unplugs.
type fakeBus struct {
	mu    sync.Mutex
	devs  map[string]Device // by location
	opens []string          // locations opened, in order
}

func newFakeBus(devs ...Device) *fakeBus {
	b := &fakeBus{devs: make(map[string]Device)}
	for _, d := range devs {
		b.plug(d)
	}
	return b
}

func (b *fakeBus) plug(d Device) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if d.Path == "" {
		d.Path = fmt.Sprintf("1-%d", d.Address)
	}
	b.devs[d.Location()] = d
}

func (b *fakeBus) unplug(at string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.devs, at)
}

func (b *fakeBus) has(at string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.devs[at]
	return ok
}

func (b *fakeBus) list() ([]location, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var locs []location
	for _, d := range b.devs {
		locs = append(locs, location{bus: d.Bus, address: d.Address, vid: d.VID, pid: d.PID, path: d.Path})
	}
	sort.Slice(locs, func(i, j int) bool { return locs[i].address < locs[j].address })
	return locs, nil
}

func (b *fakeBus) describe(l location) Device {
	b.mu.Lock()
	defer b.mu.Unlock()
	d, ok := b.devs[l.key()]
	if !ok {
		return Device{Bus: l.bus, Address: l.address, Err: fmt.Errorf("%w: gone", ErrLost)}
	}
	d.Model = Model{} // identify decides
	return d
}

func (b *fakeBus) identify(ctx context.Context, d *Device, probe ProbeFunc) {
	identify(ctx, d, probe, func(m Model) (Port, error) { return b.Open(ctx, Device{Bus: d.Bus, Address: d.Address, Model: m}) })
}

func (b *fakeBus) Open(_ context.Context, d Device) (Port, error) {
	if !b.has(d.Location()) {
		return nil, fmt.Errorf("open %s: %w", d.Location(), ErrLost)
	}
	b.mu.Lock()
	b.opens = append(b.opens, d.Location())
	b.mu.Unlock()
	return &fakePort{bus: b, at: d.Location()}, nil
}

func (b *fakeBus) Close() error { return nil }

func (b *fakeBus) opened() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.opens)
}

// fakePort fails with ErrLost once its stick is unplugged.
type fakePort struct {
	bus *fakeBus
	at  string
}

func (p *fakePort) Write(b []byte) (int, error) {
	if !p.bus.has(p.at) {
		return 0, ErrLost
	}
	return len(b), nil
}

func (p *fakePort) Read(b []byte, timeout time.Duration) (int, error) {
	time.Sleep(timeout)
	if !p.bus.has(p.at) {
		return 0, fmt.Errorf("read %s: %w", p.at, ErrLost)
	}
	return 0, nil
}
func (p *fakePort) SetBaud(int) error                   { return nil }
func (p *fakePort) ResetChips(hold time.Duration) error { return nil }
func (p *fakePort) Purge() error                        { return nil }
func (p *fakePort) Close() error                        { return nil }

// fakeDriver counts 1000 hashes per read until the port fails, or until
// fail is set.
type fakeDriver struct {
	port   Port
	hashes atomic.Uint64
	fail   *atomic.Bool
	mhz    float64
}

func (d *fakeDriver) Run(ctx context.Context, _ *miner.Feed, _ chan<- miner.Solution) error {
	buf := make([]byte, 64)
	for ctx.Err() == nil {
		if _, err := d.port.Read(buf, 2*time.Millisecond); err != nil {
			return err
		}
		if d.fail.Load() {
			return errors.New("chip stopped answering")
		}
		d.hashes.Add(1000)
	}
	return nil
}

func (d *fakeDriver) Status() miner.DeviceStatus {
	return miner.DeviceStatus{State: miner.DeviceRunning, Hashes: d.hashes.Load(), FrequencyMHz: d.mhz}
}

func stick(at int, product, serial string) Device {
	d := Device{Bus: 1, Address: at, Serial: serial}
	for _, m := range modelTable {
		if product != "" && m.Product == product {
			d.VID, d.PID, d.Manufacturer, d.Product = m.VID, m.PID, m.Manufacturers[0], m.Product
			return d
		}
	}
	// A CP2102 with its default strings (a Block Erupter, or not).
	d.VID, d.PID, d.Manufacturer, d.Product = VIDSiLabs, PIDCP2102, "Silicon Labs", "CP2102 USB to UART Bridge Controller"
	return d
}

type managerRig struct {
	t    *testing.T
	bus  *fakeBus
	m    *Manager
	fail atomic.Bool
	ctx  context.Context
	wg   sync.WaitGroup
	errs chan error
}

func newManagerRig(t *testing.T, cfg Config, devs ...Device) *managerRig {
	t.Helper()
	r := &managerRig{t: t, bus: newFakeBus(devs...), errs: make(chan error, 16)}
	ctx, cancel := context.WithCancel(context.Background())
	r.ctx = ctx
	cfg.PollInterval = 5 * time.Millisecond
	if cfg.Probe == nil {
		cfg.Probe = func(ctx context.Context, p Port, m Model) error { return nil } // every generic CP2102 is an erupter
	}
	m, err := openManager(ctx, cfg, r.bus, func(port Port, d Device, mhz float64, _ *slog.Logger) runner {
		return &fakeDriver{port: port, fail: &r.fail, mhz: mhz}
	})
	if err != nil {
		t.Fatal(err)
	}
	r.m = m
	t.Cleanup(func() {
		cancel()
		r.wg.Wait()
		if err := m.Close(); err != nil {
			t.Error(err)
		}
	})
	return r
}

func (r *managerRig) run(h miner.Hasher) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if err := h.Run(r.ctx, miner.NewFeed(), make(chan miner.Solution)); err != nil {
			r.errs <- err
		}
	}()
}

// waitFor polls cond for up to 20 s (a loaded CI machine is slow).
func (r *managerRig) waitFor(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		if cond() {
			return
		}
	}
	r.t.Fatalf("timed out waiting for %s", what)
}

func names(hs []miner.Hasher) []string {
	var s []string
	for _, h := range hs {
		s = append(s, h.Name())
	}
	return s
}

func TestManagerUnplugReplug(t *testing.T) {
	noPerm := Device{Bus: 1, Address: 4, VID: VIDFTDI, PID: PIDFT230X, Err: fmt.Errorf("open 001/004: %w", ErrNoPermission)}
	r := newManagerRig(t, Config{Freq: map[string]float64{"": 300, "GSC2": 120}},
		stick(2, "CompacF Bitcoin Miner", "GSF1"), stick(3, "Compac BM1384 Bitcoin Miner", "GSC2"), noPerm)
	hs := r.m.Hashers()
	if got := names(hs); !slices.Equal(got, []string{"compacf-GSF1", "compac-GSC2"}) {
		t.Fatalf("hashers %v", got)
	}
	devs := r.m.Devices()
	if len(devs) != 3 || !errors.Is(devs[2].Err, ErrNoPermission) {
		t.Fatalf("devices %+v", devs)
	}
	a, b := hs[0], hs[1]
	if f := a.Status().FrequencyMHz; f != 300 {
		t.Errorf("compacf at %v MHz, want 300 (--usb-freq 300)", f)
	}
	if f := b.Status().FrequencyMHz; f != 120 {
		t.Errorf("compac at %v MHz, want 120 (--usb-freq GSC2=120)", f)
	}
	r.run(a)
	r.run(b)
	r.waitFor("both running", func() bool { return a.Status().Hashes > 0 && b.Status().Hashes > 0 })

	r.bus.unplug("001/002")
	r.waitFor("compacf lost", func() bool { return a.Status().State == miner.DeviceLost })
	lostAt := a.Status().Hashes
	bBefore := b.Status().Hashes
	r.waitFor("compac goes on", func() bool { return b.Status().Hashes > bBefore+5000 })
	if st := b.Status(); st.State != miner.DeviceRunning {
		t.Errorf("compac %v while the other stick is unplugged", st.State)
	}
	if st := a.Status(); st.Hashes != lostAt || st.Err == "" {
		t.Errorf("lost stick: hashes %d → %d, err %q", lostAt, st.Hashes, st.Err)
	}

	r.bus.plug(stick(5, "CompacF Bitcoin Miner", "GSF1")) // same serial, new address
	r.waitFor("compacf resumes", func() bool {
		st := a.Status()
		return st.State == miner.DeviceRunning && st.Hashes > lostAt
	})
	if got := r.bus.opened(); !slices.Contains(got, "001/005") {
		t.Errorf("opened %v, want the replugged 001/005", got)
	}
	if len(r.m.Hashers()) != 2 {
		t.Errorf("replug made a new hasher: %v", names(r.m.Hashers()))
	}

	// A stick never seen before arrives on Added.
	r.bus.plug(stick(6, "NewPac Bitcoin Miner", "GSH7"))
	select {
	case h := <-r.m.Added():
		if h.Name() != "newpac-GSH7" {
			t.Errorf("added %s", h.Name())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("new stick not announced")
	}
	if got := names(r.m.Hashers()); !slices.Equal(got, []string{"compacf-GSF1", "compac-GSC2", "newpac-GSH7"}) {
		t.Errorf("hashers %v", got)
	}
	select {
	case err := <-r.errs:
		t.Errorf("Run returned %v", err)
	default:
	}
}

func TestManagerFailedStickResumesOnReplug(t *testing.T) {
	r := newManagerRig(t, Config{}, stick(2, "R606 Bitcoin Miner", "GSI1"))
	h := r.m.Hashers()[0]
	r.run(h)
	r.waitFor("running", func() bool { return h.Status().Hashes > 0 })
	r.fail.Store(true)
	r.waitFor("failed", func() bool { return h.Status().State == miner.DeviceFailed })
	if st := h.Status(); st.Err != "chip stopped answering" {
		t.Errorf("err %q", st.Err)
	}
	r.fail.Store(false)
	before := h.Status().Hashes
	time.Sleep(30 * time.Millisecond)
	if h.Status().State != miner.DeviceFailed {
		t.Fatal("a failed stick restarted without a replug")
	}
	r.bus.unplug("001/002")
	r.waitFor("lost", func() bool { return h.Status().State == miner.DeviceLost })
	r.bus.plug(stick(3, "R606 Bitcoin Miner", "GSI1"))
	r.waitFor("resumed", func() bool { return h.Status().State == miner.DeviceRunning && h.Status().Hashes > before })
}

func TestManagerTwinSerialsAndProbe(t *testing.T) {
	probe := func(_ context.Context, p Port, m Model) error {
		if p.(*fakePort).at == "001/004" {
			return errors.New("no golden nonce") // a plain USB-serial adapter
		}
		return nil
	}
	r := newManagerRig(t, Config{Probe: probe}, stick(2, "", "0001"), stick(3, "", "0001"), stick(4, "", "0001"))
	got := names(r.m.Hashers())
	if !slices.Equal(got, []string{"erupter-0001", "erupter-0001-1_3"}) {
		t.Fatalf("hashers %v, want two erupters told apart by port and no third", got)
	}
	devs := r.m.Devices()
	if len(devs) != 3 || !errors.Is(devs[2].Err, ErrNotMiner) || !devs[0].Probed {
		t.Fatalf("devices %+v", devs)
	}
	h := r.m.Hashers()[0]
	r.run(h)
	r.waitFor("running", func() bool { return h.Status().Hashes > 0 })
	if err := h.Run(r.ctx, miner.NewFeed(), nil); err == nil {
		t.Error("a second Run of the same stick was allowed")
	}
}
