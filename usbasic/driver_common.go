package usbasic

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/bits"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/usbasic/proto"
)

// driver is the chip-family half of a Stick: it speaks one protocol over the
// link. Methods are called from the Stick's Run goroutine only.
type driver interface {
	// init brings the chips from any state to hashing: reset (when the
	// bridge has a reset line), enumeration, addressing, UART speed-up,
	// ticket mask. It returns the number of chips found.
	init(ctx context.Context) (int, error)
	// setFreq programs the hash clock and returns the frequency set.
	setFreq(ctx context.Context, mhz float64) (float64, error)
	// freqStep is the ramp step in MHz (0: no settable clock).
	freqStep() float64
	// midstates is the number of midstates per job for a version mask.
	midstates(mask uint32) int
	// send gives the chips a new job. sl.id has been set by nextID.
	send(sl *slot) error
	nextID() byte
	// candidates lists the (job id, midstate) pairs a nonce reply may
	// belong to, the likeliest first.
	candidates(r *proto.Reply) []cand
	// ping asks the chips for a register reply (a sign of life);
	// ErrNotSupported when the protocol has none.
	ping() error
	// pings reports whether ping gets an answer (false for Icarus).
	pings() bool
	// ticketBits is the chip difficulty 2^k programmed.
	ticketBits() int
	// rotate is how long a job may run before the chips run out of
	// nonces (or, for Icarus, finish the range).
	rotate(mhz float64, chips, midstates int) time.Duration
}

type cand struct {
	id  byte
	mid int
}

// slot is one job sent to the chips: the work, the version each midstate
// was computed from, and the nonces already seen (chips repeat a job after
// each full pass).
type slot struct {
	id       byte
	work     *miner.Work
	versions []int32
	mids     []proto.Midstate
	tail     [12]byte
	seen     map[[4]byte]bool
	sent     time.Time
}

// rollVersions returns n distinct header versions within mask, as cgminer
// picks them: v, v|L, v|(M−L), v|M with L the lowest non-zero hex digit of M.
// When that gives duplicates (a mask within one hex digit) it counts inside
// the mask instead, as ESP-Miner does. With fewer mask bits than needed it
// returns fewer versions.
func rollVersions(v int32, mask uint32, n int) []int32 {
	n = min(n, 4, 1<<min(bits.OnesCount32(mask), 2))
	if n <= 1 {
		return []int32{v}
	}
	shift := bits.TrailingZeros32(mask) / 4 * 4
	low := mask & (0xF << shift)
	vs := []uint32{uint32(v), uint32(v) | low, uint32(v) | (mask - low), uint32(v) | mask}
	if n == 4 && mask == low {
		for i := range vs {
			vs[i] = uint32(v) | deposit(uint32(i), mask)
		}
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(vs[i])
	}
	return out
}

// deposit spreads the low bits of x over the set bits of mask.
func deposit(x, mask uint32) uint32 {
	var r uint32
	for m := mask; m != 0 && x != 0; m &= m - 1 {
		if x&1 != 0 {
			r |= m & -m
		}
		x >>= 1
	}
	return r
}

// midstatesFor is 4 when the mask leaves room for 4 versions, else 1.
func midstatesFor(mask uint32) int {
	if bits.OnesCount32(mask) >= 2 {
		return 4
	}
	return 1
}

// newSlot builds a job from fresh work of j.
func newSlot(j *miner.Job, n int, now time.Time, accept func(*slot) bool) *slot {
	var sl *slot
	for try := 0; try < 16; try++ {
		w := j.NewWork(now)
		sl = &slot{work: w, versions: rollVersions(j.Version, j.VersionMask, n), tail: proto.Tail(w.Header[:]), sent: now}
		for _, v := range sl.versions {
			h := w.Header
			binary.LittleEndian.PutUint32(h[0:], uint32(v))
			sl.mids = append(sl.mids, proto.ComputeMidstate(h[:64]))
		}
		if accept == nil || accept(sl) {
			break
		}
	}
	return sl
}

// link is the byte pipe to the chips with a reply scanner on it.
type link struct {
	port Port
	sc   *proto.Scanner
	buf  []byte
	log  *slog.Logger
	// after the bytes of a read, for the Icarus scanner, a quiet read
	// flushes a partial reply.
	flushQuiet bool
}

func newLink(p Port, sc *proto.Scanner, log *slog.Logger) *link {
	return &link{port: p, sc: sc, buf: make([]byte, 1024), log: log}
}

func (l *link) write(b []byte) error {
	if _, err := l.port.Write(b); err != nil {
		return fmt.Errorf("write to stick: %w", err)
	}
	return nil
}

// resetAndQuery resets the chips, sets the bridge to the model's start-up
// baud, sends query (a chip-address read to every chip) and returns the
// replies that come within a second: the start of BM1387 and BM1397 init.
func (l *link) resetAndQuery(ctx context.Context, m Model, query []byte) ([]proto.Reply, error) {
	if err := resetChips(l.port, m.ResetHold); err != nil {
		return nil, err
	}
	if err := l.port.SetBaud(m.InitialBaud); err != nil {
		return nil, fmt.Errorf("set bridge baud: %w", err)
	}
	if err := sleep(ctx, 50*time.Millisecond); err != nil {
		return nil, err
	}
	if err := l.drain(); err != nil {
		return nil, err
	}
	if err := l.write(query); err != nil {
		return nil, err
	}
	return l.collect(ctx, time.Second, 50*time.Millisecond)
}

// read waits up to timeout for bytes and returns the complete replies.
func (l *link) read(timeout time.Duration) ([]proto.Reply, error) {
	n, err := l.port.Read(l.buf, timeout)
	if err != nil {
		return nil, fmt.Errorf("read from stick: %w", err)
	}
	if n == 0 && l.flushQuiet {
		l.sc.Flush()
	}
	l.sc.Write(l.buf[:n])
	var out []proto.Reply
	for r, ok := l.sc.Next(); ok; r, ok = l.sc.Next() {
		out = append(out, r)
	}
	return out, nil
}

// collect reads replies until the line is quiet for gap (or first passes
// with nothing at all).
func (l *link) collect(ctx context.Context, first, gap time.Duration) ([]proto.Reply, error) {
	var out []proto.Reply
	deadline := time.Now().Add(first)
	for {
		rs, err := l.read(20 * time.Millisecond)
		if err != nil {
			return out, err
		}
		if len(rs) > 0 {
			out = append(out, rs...)
			deadline = time.Now().Add(gap)
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return out, ctx.Err()
		}
	}
}

// drain discards pending input.
func (l *link) drain() error {
	for i := 0; i < 50; i++ {
		n, err := l.port.Read(l.buf, 2*time.Millisecond)
		if err != nil {
			return fmt.Errorf("read from stick: %w", err)
		}
		if n == 0 {
			break
		}
	}
	l.sc.Flush()
	return nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// resetChips pulses the reset line when the bridge has one.
func resetChips(p Port, hold time.Duration) error {
	if hold <= 0 {
		return nil
	}
	if err := p.ResetChips(hold); err != nil && !errors.Is(err, ErrNotSupported) {
		return fmt.Errorf("reset chips: %w", err)
	}
	return nil
}

// chipAddress is the address of chip i of n, spread over 0..255 as cgminer
// does (256/n · i).
func chipAddress(i, n int) byte {
	if n <= 0 {
		return 0
	}
	return byte(256 / n * i)
}

// ticketFor picks the chip difficulty 2^k that makes a stick of the given
// rate report about one to two nonces a second: k = ceil(log2(rate/2^33)).
func ticketFor(rate float64, maxK int) int {
	if rate <= 0 {
		return 0
	}
	k := int(math.Ceil(math.Log2(rate / (1 << 33))))
	return max(0, min(k, maxK))
}

// hashOf returns the double SHA-256 of sl's header with nonce bytes n and
// midstate mid's version.
func hashOf(sl *slot, mid int, n [4]byte) (chainhash.Hash, uint32) {
	nonce := binary.LittleEndian.Uint32(n[:])
	h := sl.work.HeaderFor(nonce, sl.versions[mid], sl.work.NTime())
	return chainhash.DoubleHashH(h[:]), nonce
}
