package demo

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// The retarget tests drive btcd's own consensus difficulty rule
// (blockchain.CheckBlockHeaderContext over a simulated header chain) with
// synthetic timestamps from a simulated miner; no wall time is involved.

type simHeader struct {
	ts   int64
	bits uint32
}

type simChain struct {
	params *chaincfg.Params
	hdrs   []simHeader
}

// simNode is one header of a simChain; it implements blockchain.HeaderCtx.
type simNode struct {
	c *simChain
	h int32
}

func (s simNode) Height() int32    { return s.h }
func (s simNode) Bits() uint32     { return s.c.hdrs[s.h].bits }
func (s simNode) Timestamp() int64 { return s.c.hdrs[s.h].ts }
func (s simNode) Parent() blockchain.HeaderCtx {
	if s.h == 0 {
		return nil
	}
	return simNode{s.c, s.h - 1}
}
func (s simNode) RelativeAncestorCtx(d int32) blockchain.HeaderCtx {
	if d < 0 || d > s.h {
		return nil
	}
	return simNode{s.c, s.h - d}
}

// simChain implements blockchain.ChainCtx with the demo's parameters.
func (c *simChain) ChainParams() *chaincfg.Params { return c.params }
func (c *simChain) BlocksPerRetarget() int32 {
	return int32(c.params.TargetTimespan / c.params.TargetTimePerBlock)
}
func (c *simChain) MinRetargetTimespan() int64 {
	return int64(c.params.TargetTimespan/time.Second) / c.params.RetargetAdjustmentFactor
}
func (c *simChain) MaxRetargetTimespan() int64 {
	return int64(c.params.TargetTimespan/time.Second) * c.params.RetargetAdjustmentFactor
}
func (c *simChain) VerifyCheckpoint(int32, *chainhash.Hash) bool          { return true }
func (c *simChain) FindPreviousCheckpoint() (blockchain.HeaderCtx, error) { return nil, nil }

func (c *simChain) tip() simNode { return simNode{c, int32(len(c.hdrs) - 1)} }

func (c *simChain) mtp() int64 { return blockchain.CalcPastMedianTime(c.tip()).Unix() }

// nextBits asks btcd's header check which bits a block at time ts needs,
// then confirms that a header with those bits passes.
func (c *simChain) nextBits(t testing.TB, ts int64) uint32 {
	t.Helper()
	h := wire.BlockHeader{Version: 0x20000000, Timestamp: time.Unix(ts, 0), Bits: 1}
	err := blockchain.CheckBlockHeaderContext(&h, c.tip(), blockchain.BFNone, c, true)
	var re blockchain.RuleError
	if !errors.As(err, &re) || re.ErrorCode != blockchain.ErrUnexpectedDifficulty {
		t.Fatalf("header with bits 1 at height %d: %v, want ErrUnexpectedDifficulty", len(c.hdrs), err)
	}
	var got, want uint32
	if _, err := fmt.Sscanf(re.Description, "block difficulty of %d is not the expected value of %d", &got, &want); err != nil {
		t.Fatalf("parse %q: %v", re.Description, err)
	}
	h.Bits = want
	if err := blockchain.CheckBlockHeaderContext(&h, c.tip(), blockchain.BFNone, c, true); err != nil {
		t.Fatalf("header with the expected bits %08x fails: %v", want, err)
	}
	return want
}

func expectedHashes(bits uint32) float64 {
	f, _ := new(big.Float).SetInt(blockchain.CalcWork(bits)).Float64()
	return f
}

// simRun is the outcome of one simulated mining run.
type simRun struct {
	found    []float64 // wall times (s) at which blocks were found
	rampDone float64   // wall time of the first block whose expected time at its bits is ≥ 15 s
	rescues  int       // tips given up because a retarget block was overdue
}

// simulate mines for dur seconds with hashrate(t) hashes per second, the
// way soloist mines on the demo node: a template at time max(now, MTP+1),
// header time kept within the template's validity, a fresh template the
// moment the easiest bits become valid (the long poll) or the node gives up
// a tip below an overdue retarget block, 5 ms per block of RPC overhead.
func simulate(t testing.TB, p *chaincfg.Params, rng *rand.Rand, dur float64, hashrate func(float64) float64) simRun {
	t.Helper()
	c := &simChain{params: p, hdrs: []simHeader{{ts: -60, bits: p.PowLimitBits}}}
	r := int64(p.MinDiffReductionTime / time.Second)
	n := int32(c.BlocksPerRetarget())
	run := simRun{rampDone: math.Inf(1)}
	now := 0.0
	for now < dur {
		mtp := c.mtp()
		tt := max(int64(now), mtp+1)
		bits := c.nextBits(t, tt)
		parent := c.hdrs[len(c.hdrs)-1].ts
		need := rng.ExpFloat64() * expectedHashes(bits) / hashrate(now)
		found := now + need + 0.005
		valveAt := float64(parent + r + 1)
		height := int32(len(c.hdrs))
		if height%n == 0 && bits != p.PowLimitBits && found > float64(parent+rescueFactor*r) && height > 1 {
			// The node's rescue: give up the tip, mine on its parent.
			now = max(now, float64(parent+rescueFactor*r))
			c.hdrs = c.hdrs[:len(c.hdrs)-1]
			run.rescues++
			continue
		}
		if height%n != 0 && bits != p.PowLimitBits && found > valveAt {
			// The long poll hands out the easiest template at valveAt.
			found = max(now, valveAt) + 0.005
			tt = max(parent+r+1, mtp+1)
			bits = c.nextBits(t, tt)
		} else if height%n != 0 && bits != p.PowLimitBits {
			tt = min(max(int64(found), tt), parent+r) // within maxtime
		} else {
			tt = max(int64(found), tt)
		}
		c.hdrs = append(c.hdrs, simHeader{ts: tt, bits: bits})
		now = found
		run.found = append(run.found, now)
		if math.IsInf(run.rampDone, 1) && expectedHashes(bits)/hashrate(now) >= 15 {
			run.rampDone = now
		}
	}
	return run
}

// intervalsBetween returns the block intervals of blocks found in [from, to).
func (r simRun) intervalsBetween(from, to float64) []float64 {
	var out []float64
	for i := 1; i < len(r.found); i++ {
		if r.found[i] >= from && r.found[i] < to {
			out = append(out, r.found[i]-r.found[i-1])
		}
	}
	return out
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func simParams(t testing.TB) *chaincfg.Params {
	t.Helper()
	p, err := newParams(DefaultTargetSpacing, time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRetargetBringsBlocksNearTheTargetSpacing(t *testing.T) {
	p := simParams(t)
	const seeds = 40
	for _, mhs := range []float64{1, 5, 25, 50} {
		t.Run(fmt.Sprintf("%gMHs", mhs), func(t *testing.T) {
			var ramps, steady, perMinute []float64
			rescues := 0
			for seed := uint64(1); seed <= seeds; seed++ {
				rng := rand.New(rand.NewPCG(seed, 7))
				run := simulate(t, p, rng, 3*3600, func(float64) float64 { return mhs * 1e6 })
				ramps = append(ramps, run.rampDone)
				rescues += run.rescues
				steady = append(steady, run.intervalsBetween(15*60, 3*3600)...)
				after := run.intervalsBetween(60, 3*3600)
				perMinute = append(perMinute, float64(len(after))/((3*3600-60)/60.0))
			}
			slices.Sort(ramps)
			medianRamp := ramps[len(ramps)/2]
			m := mean(steady)
			t.Logf("ramp to a difficulty of ≥15 s per block: median %.0f s, worst %.0f s; steady mean interval %.1f s; blocks/min after the first minute %.2f",
				medianRamp, ramps[len(ramps)-1], m, mean(perMinute))
			if medianRamp > 4*60 {
				t.Errorf("median ramp %.0f s, want within 4 minutes", medianRamp)
			}
			if m < 24 || m > 36 {
				t.Errorf("steady mean interval %.1f s, want 30 s ± 6 s", m)
			}
			if rescues != 0 {
				t.Errorf("%d rescues (orphaned miner blocks) at a steady hash rate, want none", rescues)
			}
			if slices.Min(perMinute) < 1 {
				t.Errorf("a run found %.2f blocks per minute after the first minute, want at least 1", slices.Min(perMinute))
			}
		})
	}
}

func TestRetargetRecoversWhenTheMinerGetsMuchSlower(t *testing.T) {
	p := simParams(t)
	r := float64(p.MinDiffReductionTime / time.Second)
	const seeds = 40
	const drop = 3600.0
	for _, factor := range []float64{10, 100, 1000} {
		t.Run(fmt.Sprintf("%gx slower", factor), func(t *testing.T) {
			var recovered, maxGaps []float64
			rescues := 0
			for seed := uint64(1); seed <= seeds; seed++ {
				rng := rand.New(rand.NewPCG(seed, 11))
				run := simulate(t, p, rng, drop+3*3600, func(now float64) float64 {
					if now < drop {
						return 25e6
					}
					return 25e6 / factor
				})
				rescues += run.rescues
				gaps := run.intervalsBetween(drop, drop+3*3600)
				after := run.intervalsBetween(drop+3600, drop+3*3600)
				if len(gaps) == 0 || len(after) == 0 {
					t.Fatalf("seed %d: no blocks after the drop", seed)
				}
				maxGaps = append(maxGaps, slices.Max(gaps))
				recovered = append(recovered, mean(after))
			}
			slices.Sort(maxGaps)
			medianGap, worstGap := maxGaps[len(maxGaps)/2], maxGaps[len(maxGaps)-1]
			m := mean(recovered)
			t.Logf("longest wait after the drop: median %.0f s, worst %.0f s (valve %.0f s, rescue %.0f s, %d rescues in %d runs); mean interval 1–3 h after the drop %.1f s",
				medianGap, worstGap, r, rescueFactor*r, rescues, seeds, m)
			if medianGap > r+60 {
				t.Errorf("median longest wait %.0f s, want at most the valve time %.0f s + 60 s", medianGap, r)
			}
			if worstGap > rescueFactor*r+60 {
				t.Errorf("worst wait %.0f s, want at most the rescue time %.0f s + 60 s", worstGap, rescueFactor*r)
			}
			if m < 20 || m > 40 {
				t.Errorf("mean interval after recovery %.1f s, want 30 s ± 10 s", m)
			}
		})
	}
}
