package tui

import (
	"math"
	"testing"

	"github.com/soloist-miner/soloist/miner"
)

// near reports whether got is within rel (relative) of want.
func near(got, want, rel float64) bool {
	if want == 0 {
		return got == 0
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

func TestOddsByHand(t *testing.T) {
	// 1 TH/s against difficulty 1e14. Expected hashes per block:
	// 1e14 · 2^32 = 4.294967296e23, so the mean wait is 4.294967296e11 s
	// = 13 609.9 Julian years, and in a day λ = 8.64e16 / 4.294967296e23
	// = 2.011656761e-7, P = 1 − e^−λ ≈ λ − λ²/2 = 2.011656559e-7.
	const th, d = 1e12, 1e14
	regtest := miner.BitsDifficulty(0x207fffff) // 4.656542e-10: two hashes per block
	tests := []struct {
		name string
		got  float64
		want float64
		rel  float64
	}{
		{"day", chance(th, secDay, d), 2.011656559e-7, 1e-9},
		{"year", chance(th, secYear, d), 7.34733e-5, 1e-5},
		{"expected seconds", expectedSeconds(th, d), 4.294967296e11, 1e-12},
		{"expected years", expectedSeconds(th, d) / secYear, 13609.93, 1e-6},
		{"median years", medianSeconds(th, d) / secYear, 13609.93 * math.Ln2, 1e-6},
		{"tiny lambda is not zero", chance(1, 1, 1/hashesPerDifficulty*1e12), 1e-12, 1e-9},
		{"zero hashrate", chance(0, secYear, d), 0, 0},
		{"zero difficulty", chance(th, secDay, 0), 0, 0},
		{"regtest difficulty", regtest, 4.656542e-10, 1e-6},
		// D·2^32 slightly undercounts (the exact figure is D·2^48/0xffff = 2).
		{"regtest expected hashes", regtest * hashesPerDifficulty, 2, 2e-5},
		{"regtest 10 min at 1 kH/s", chance(1e3, 600, regtest), 1, 0},
		{"regtest expected at 1 kH/s", expectedSeconds(1e3, regtest), 0.002, 2e-5},
		{"effort", effort(2147483648e6, 1e6), 0.5, 1e-12},
		{"network from difficulty", networkHashrate(0, d), 1e14 * hashesPerDifficulty / 600, 1e-12},
		{"network from node", networkHashrate(7e20, d), 7e20, 0},
		{"expected shares", expectedShares(1<<40, 1), 256, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !near(tc.got, tc.want, tc.rel) {
				t.Errorf("got %.10g, want %.10g", tc.got, tc.want)
			}
		})
	}
	if !math.IsInf(expectedSeconds(0, d), 1) {
		t.Errorf("expected time at zero hashrate = %v, want +Inf", expectedSeconds(0, d))
	}
}

func TestComputeOdds(t *testing.T) {
	o := computeOdds(1e12, 1e14, 0, 0)
	for i := 1; i < len(o.chances); i++ {
		if !(o.chances[i] > o.chances[i-1]) {
			t.Errorf("chance for %s (%g) not above %s (%g)", horizons[i].name, o.chances[i], horizons[i-1].name, o.chances[i-1])
		}
	}
	if got, want := formatOneIn(o.perDay), "1 in 4.97M"; got != want {
		t.Errorf("per day = %q, want %q", got, want)
	}
	if got, want := formatWait(o.expected), "13,610 years"; got != want {
		t.Errorf("expected = %q, want %q", got, want)
	}
	// The user's share of the network: 1e12 / (1e14·2^32/600).
	if !near(o.share, 1e12/(1e14*hashesPerDifficulty/600), 1e-12) {
		t.Errorf("share = %g", o.share)
	}
	z := computeOdds(0, 1e14, 0, 0)
	if z.share != 0 || z.perDay != 0 || formatWait(z.expected) != "never" {
		t.Errorf("zero hashrate odds = %+v", z)
	}
}

func TestLeadingZeroBits(t *testing.T) {
	tests := []struct {
		name string
		bits uint32
		want int
	}{
		{"diff 1", 0x1d00ffff, 32},
		{"regtest", 0x207fffff, 1},
		{"block 125552", 0x1a44b9f2, 49},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := leadingZeroBits(miner.BitsToTarget(tc.bits)); got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
	if got := leadingZeroBits([32]byte{}); got != 256 {
		t.Errorf("zero = %d, want 256", got)
	}
}
