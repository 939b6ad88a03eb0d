package usbasic

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// SelftestResult is the outcome of Selftest for one stick.
type SelftestResult struct {
	Model string // model name
	Chips int    // chips that answered enumeration
	// Pass is true when every expected nonce came back.
	Pass    bool
	Want    [][4]byte // nonce bytes (H[76..79]) the known work must give
	Got     [][4]byte // nonce bytes received
	Elapsed time.Duration
	// Detail says what was sent and, on failure, what went wrong.
	Detail string
}

// antminerSelftestID is the work id of the AntMiner self-test work.
const antminerSelftestID = 5

// selftestWait bounds the wait for the known nonces (a Compac F scans the
// whole range in 32 ms, a NewPac at 100 MHz in 190 ms).
const selftestWait = 2 * time.Second

// workDivisionProbe is bfgminer's work-division probe (§9.5): a
// single-engine Icarus device answers 04 C0 FD B4 first.
var workDivisionProbe = []byte{
	0x2e, 0x4c, 0x8f, 0x91, 0xfd, 0x59, 0x5d, 0x2d, 0x7e, 0xa2, 0x0a, 0xaa, 0xcb, 0x64, 0xa2, 0xa0,
	0x43, 0x82, 0x86, 0x02, 0x77, 0xcf, 0x26, 0xb6, 0xa1, 0xee, 0x04, 0xc5, 0x6a, 0x5b, 0x50, 0x4a,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0x64, 0x61, 0x01, 0x1a, 0xc9, 0x06, 0xa9, 0x51, 0xfb, 0x9b, 0x3c, 0x73,
}

// Selftest initialises the stick on port as model and sends it work whose
// answer is known: cgminer's busy work for BM1397 and BM1387 chips (ticket
// mask at difficulty 1 for the test), the Icarus golden work for BM1384
// chips, and for the Block Erupter the golden work plus bfgminer's
// work-division probe. It returns an error only when the port fails; a stick
// that answers wrongly or not at all gives Pass false and a Detail. The
// stick is left initialised at its default frequency; the caller closes the
// port.
func Selftest(ctx context.Context, port Port, model Model) (SelftestResult, error) {
	start := time.Now()
	res := SelftestResult{Model: model.Name}
	s := NewStick(port, StickConfig{Model: model, Logger: slog.New(slog.DiscardHandler)})
	d, l := s.newDriver()
	chips, err := d.init(ctx)
	res.Chips = chips
	if err != nil {
		res.Elapsed = time.Since(start)
		if errors.Is(err, ErrLost) || ctx.Err() != nil {
			return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
		}
		res.Detail = "initialisation failed: " + err.Error()
		return res, nil
	}
	if _, err := d.setFreq(ctx, model.ClampMHz(0)); err != nil {
		res.Elapsed = time.Since(start)
		return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
	}
	var (
		work      []byte
		hs        *proto.Hasher
		restore   []byte
		firstOnly bool
		wantID    = -1
	)
	switch model.Family {
	case FamilyBM1397:
		if err := l.write(proto.BM1397WriteRegFrame(true, 0, proto.BM1397RegTicketMask, proto.TicketMask(0))); err != nil {
			return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
		}
		restore = proto.BM1397WriteRegFrame(true, 0, proto.BM1397RegTicketMask, proto.TicketMask(d.ticketBits()))
		work, _ = proto.BM1397JobFrame(&proto.Job{ID: 0x10, Tail: proto.BusyWorkTail, Midstates: []proto.Midstate{{}}})
		hs = proto.NewHasher(proto.Midstate{}, proto.BusyWorkTail)
		res.Want = proto.BusyWorkNonces
		res.Detail = "busy work (zero midstate, tail FF…FF) at ticket difficulty 1"
	case FamilyBM1387:
		work, _ = proto.BM1387JobFrame(&proto.Job{ID: 0x10, Tail: proto.BusyWorkTail, Midstates: []proto.Midstate{{}}})
		hs = proto.NewHasher(proto.Midstate{}, proto.BusyWorkTail)
		res.Want = proto.BusyWorkNonces
		res.Detail = "busy work (zero midstate, tail FF…FF)"
	case FamilyBM1384:
		g, _ := proto.ParseWork(proto.IcarusGoldenWork)
		g.ID = 0x10
		work = proto.WorkFrame(&g)
		hs = proto.NewHasher(g.Midstate, g.Tail)
		res.Want = [][4]byte{proto.IcarusGoldenNonce}
		wantID = 0x10
		res.Detail = "golden work (block 171874) as a BM1384 work"
	case FamilyIcarus:
		if model.Antminer == 0 {
			break
		}
		g, _ := proto.ParseWork(proto.IcarusGoldenWork)
		g.ID = antminerSelftestID
		work = proto.WorkFrame(&g)
		hs = proto.NewHasher(g.Midstate, g.Tail)
		res.Want = [][4]byte{proto.IcarusGoldenNonce}
		wantID = antminerSelftestID
		res.Detail = "golden work answered with work id 0; again with work id 5"
	}
	if work == nil {
		// Block Erupter: init already checked the golden nonce; now the probe.
		w, _ := proto.ParseWork(workDivisionProbe)
		work = workDivisionProbe
		hs = proto.NewHasher(w.Midstate, w.Tail)
		res.Want = [][4]byte{{0x04, 0xC0, 0xFD, 0xB4}}
		firstOnly = true
		res.Detail = "golden work answered 00 01 87 A2; work-division probe (one engine answers 04 C0 FD B4 first)"
	}
	if err := l.drain(); err != nil {
		return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
	}
	if err := l.write(work); err != nil {
		return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
	}
	deadline := time.Now().Add(selftestWait)
	found := map[[4]byte]bool{}
	for time.Now().Before(deadline) && ctx.Err() == nil && len(found) < len(res.Want) {
		rs, err := l.read(20 * time.Millisecond)
		if err != nil {
			return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
		}
		for _, r := range rs {
			if !r.Nonce {
				continue
			}
			h := hs.Hash(r.Data)
			if !proto.Zero32(&h) {
				res.Detail += fmt.Sprintf("; wrong nonce % X", r.Data[:])
				continue
			}
			if wantID >= 0 && int(r.JobID) != wantID {
				res.Detail += fmt.Sprintf("; work id %d, want %d", r.JobID, wantID)
				continue
			}
			res.Got = append(res.Got, r.Data)
			found[r.Data] = true
		}
		if firstOnly && len(res.Got) > 0 {
			break
		}
	}
	if restore != nil {
		if err := l.write(restore); err != nil {
			return res, fmt.Errorf("selftest of %s: %w", model.Name, err)
		}
	}
	res.Elapsed = time.Since(start)
	res.Pass = true
	for i, w := range res.Want {
		if !found[w] || (firstOnly && i == 0 && res.Got[0] != w) {
			res.Pass = false
		}
	}
	if !res.Pass {
		res.Detail += fmt.Sprintf("; want %s, got %s", fmtNonces(res.Want), fmtNonces(res.Got))
	}
	return res, ctx.Err()
}

func fmtNonces(ns [][4]byte) string {
	if len(ns) == 0 {
		return "nothing"
	}
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("% X", n[:])
	}
	return s
}
