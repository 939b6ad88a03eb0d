package tui

import "math"

// hashesPerDifficulty is the expected number of hashes per unit of
// difficulty: 2^32. (The exact figure, 2^48/0xffff, is 0.0015% more; the
// issue and the pools use 2^32.)
const hashesPerDifficulty = 4294967296.0

// lambda is the expected number of blocks found in sec seconds at hashrate
// h (H/s) against network difficulty d: h·t / (d·2^32).
func lambda(h, sec, d float64) float64 {
	if h <= 0 || sec <= 0 || d <= 0 || math.IsNaN(h) || math.IsNaN(d) {
		return 0
	}
	return h * sec / (d * hashesPerDifficulty)
}

// chance is the Poisson probability of finding at least one block in sec
// seconds: 1 − e^(−λ). Expm1 keeps tiny λ exact (1e-12 stays 1e-12).
func chance(h, sec, d float64) float64 {
	return -math.Expm1(-lambda(h, sec, d))
}

// expectedSeconds is the mean time to a block, d·2^32 / h; +Inf at zero
// hashrate.
func expectedSeconds(h, d float64) float64 {
	if h <= 0 || math.IsNaN(h) {
		return math.Inf(1)
	}
	if d <= 0 {
		return 0
	}
	return d * hashesPerDifficulty / h
}

// medianSeconds is the median time to a block: ln 2 × the mean, since the
// wait is exponentially distributed.
func medianSeconds(h, d float64) float64 {
	return math.Ln2 * expectedSeconds(h, d)
}

// effort is the work done so far as a fraction of the work expected per
// block: hashes / (d·2^32). 1 means "one block's worth of luck spent".
func effort(hashes uint64, d float64) float64 {
	if d <= 0 {
		return 0
	}
	return float64(hashes) / (d * hashesPerDifficulty)
}

// networkHashrate is the node's estimate when it has one, else the one
// implied by the difficulty and a 600 s block interval.
func networkHashrate(nodeEstimate, d float64) float64 {
	if nodeEstimate > 0 {
		return nodeEstimate
	}
	if d <= 0 {
		return 0
	}
	return d * hashesPerDifficulty / 600
}

// expectedShares is the expected count of shares of difficulty at least x
// among n hashes: n / (x·2^32).
func expectedShares(n uint64, x float64) float64 {
	if x <= 0 {
		return 0
	}
	return float64(n) / (x * hashesPerDifficulty)
}

// leadingZeroBits counts the leading zero bits of a 256-bit little-endian
// number (a hash or target: byte 31 is the most significant).
func leadingZeroBits(b [32]byte) int {
	n := 0
	for i := 31; i >= 0; i-- {
		if b[i] == 0 {
			n += 8
			continue
		}
		for m := byte(0x80); m != 0 && b[i]&m == 0; m >>= 1 {
			n++
		}
		break
	}
	return n
}

// horizon is one row of the odds table.
type horizon struct {
	name string
	sec  float64
}

// horizons are the periods the odds are given for.
var horizons = [...]horizon{
	{"10 min", 10 * secMinute},
	{"day", secDay},
	{"week", secWeek},
	{"month", secMonth},
	{"year", secYear},
}

// odds is everything the screen says about the lottery, computed once per
// frame from the snapshot.
type odds struct {
	hashrate   float64 // H/s the odds assume
	difficulty float64
	chances    [len(horizons)]float64
	expected   float64 // seconds
	median     float64 // seconds
	perDay     float64 // chance per day, for "1 in N"
	effort     float64
	network    float64 // network hashrate, H/s
	share      float64 // hashrate / network
}

// computeOdds fills odds from a hashrate, a difficulty, the hashes done and
// the node's network hashrate estimate (0 when unknown).
func computeOdds(h, d float64, hashes uint64, netEstimate float64) odds {
	o := odds{hashrate: h, difficulty: d}
	for i, hz := range horizons {
		o.chances[i] = chance(h, hz.sec, d)
	}
	o.expected = expectedSeconds(h, d)
	o.median = medianSeconds(h, d)
	o.perDay = o.chances[1]
	o.effort = effort(hashes, d)
	o.network = networkHashrate(netEstimate, d)
	if o.network > 0 && h > 0 {
		o.share = h / o.network
	}
	return o
}
