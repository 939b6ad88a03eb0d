package chipsim

import (
	"errors"
	"sync"
	"time"
)

// ErrNoResetLine is returned by Port.ResetChips on CP2102 families; pass
// usbasic.ErrNotSupported as PortConfig.NotSupported to get that instead.
var ErrNoResetLine = errors.New("no reset line on this bridge")

// ErrUnplugged is returned after Unplug unless PortConfig.Lost is set.
var ErrUnplugged = errors.New("stick unplugged")

// PortConfig configures an in-process Port. The error fields let the caller
// supply the usbasic sentinel errors without this package importing usbasic.
type PortConfig struct {
	Config
	// Lost is returned by every call after Unplug (usbasic.ErrLost).
	Lost error
	// NotSupported is returned by ResetChips on CP2102 families
	// (usbasic.ErrNotSupported).
	NotSupported error
	// MaxResetHold caps the time ResetChips holds the line (default 5 ms),
	// so that tests need not wait the real 1 s.
	MaxResetHold time.Duration
}

// Port is an in-process usbasic.Port backed by a Sim: bytes written go to the
// simulated chips, bytes read come from them.
type Port struct {
	cfg PortConfig
	sim *Sim

	mu     sync.Mutex
	unplug bool
	closed bool
	writes int
	baud   int
	purges int
}

// NewPort starts a simulator and returns a Port on it.
func NewPort(cfg PortConfig) *Port {
	if cfg.Lost == nil {
		cfg.Lost = ErrUnplugged
	}
	if cfg.NotSupported == nil {
		cfg.NotSupported = ErrNoResetLine
	}
	if cfg.MaxResetHold <= 0 {
		cfg.MaxResetHold = 5 * time.Millisecond
	}
	return &Port{cfg: cfg, sim: New(cfg.Config)}
}

// Sim returns the simulator behind the port.
func (p *Port) Sim() *Sim { return p.sim }

// Unplug makes every later call fail with PortConfig.Lost.
func (p *Port) Unplug() {
	p.mu.Lock()
	p.unplug = true
	p.mu.Unlock()
}

func (p *Port) check() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.unplug {
		return p.cfg.Lost
	}
	if p.closed {
		return errors.New("port closed")
	}
	return nil
}

// Write sends bytes to the chips.
func (p *Port) Write(b []byte) (int, error) {
	if err := p.check(); err != nil {
		return 0, err
	}
	p.mu.Lock()
	p.writes++
	p.mu.Unlock()
	p.sim.Input(b)
	return len(b), nil
}

// Read returns chip bytes that arrive within timeout (0, nil on timeout).
func (p *Port) Read(b []byte, timeout time.Duration) (int, error) {
	if err := p.check(); err != nil {
		return 0, err
	}
	n := p.sim.ReadOutput(b, timeout)
	if err := p.check(); err != nil {
		return 0, err
	}
	return n, nil
}

// SetBaud sets the host side of the line.
func (p *Port) SetBaud(baud int) error {
	if err := p.check(); err != nil {
		return err
	}
	p.mu.Lock()
	p.baud = baud
	p.mu.Unlock()
	p.sim.SetHostBaud(baud)
	return nil
}

// ResetChips pulses the chips' reset line (FT230X families only).
func (p *Port) ResetChips(hold time.Duration) error {
	if err := p.check(); err != nil {
		return err
	}
	if p.cfg.Family == BM1384 || p.cfg.Family == Icarus || p.cfg.Family == Antminer {
		return p.cfg.NotSupported
	}
	p.sim.SetReset(true)
	time.Sleep(min(hold, p.cfg.MaxResetHold))
	p.sim.SetReset(false)
	return nil
}

// Purge drops bytes queued towards the host.
func (p *Port) Purge() error {
	if err := p.check(); err != nil {
		return err
	}
	p.mu.Lock()
	p.purges++
	p.mu.Unlock()
	p.sim.PurgeOutput()
	return nil
}

// Close stops the simulator.
func (p *Port) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.sim.Close()
	return nil
}

// HostBaud is the last rate set with SetBaud (0 if none).
func (p *Port) HostBaud() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.baud
}
