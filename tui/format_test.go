package tui

import (
	"math"
	"testing"
	"time"
)

func TestFormatSI(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0"},
		{1, "1"},
		{12.345, "12.3"},
		{999, "999"},
		{999.7, "1K"},
		{1000, "1K"},
		{1234, "1.23K"},
		{1e6, "1M"},
		{456.7e6, "457M"},
		{1.234e9, "1.23G"},
		{110.57e12, "111T"},
		{1e24, "1Y"},
		{1e27, "1e27"},
		{0.5, "0.5"},
		{4.656542e-10, "4.66e-10"},
		{-2000, "-2K"},
		{math.Inf(1), "inf"},
		{math.NaN(), "-"},
	}
	for _, tc := range tests {
		if got := formatSI(tc.in); got != tc.want {
			t.Errorf("formatSI(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatHashrate(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0 H/s"},
		{-5, "0 H/s"},
		{950, "950 H/s"},
		{512e3, "512 kH/s"},
		{2.41e6, "2.41 MH/s"},
		{1.21e12, "1.21 TH/s"},
		{999.99e12, "1 PH/s"},
		{7.9e20, "790 EH/s"},
	}
	for _, tc := range tests {
		if got := formatHashrate(tc.in); got != tc.want {
			t.Errorf("formatHashrate(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatPercent(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "0%"},
		{1e-14, "1e-12%"},
		{2.011656559e-7, "2.01e-5%"},
		{1.23e-4, "0.0123%"},
		{0.123, "12.3%"},
		{0.05, "5%"},
		{0.99951, "99.95%"},
		{0.999999, ">99.99%"},
		{1, "100%"},
	}
	for _, tc := range tests {
		if got := formatPercent(tc.in); got != tc.want {
			t.Errorf("formatPercent(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatOneIn(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{0, "never"},
		{1, "1 in 1"},
		{0.5, "1 in 2.0"},
		{2.011656559e-7, "1 in 4.97M"},
		{1e-12, "1 in 1T"},
	}
	for _, tc := range tests {
		if got := formatOneIn(tc.in); got != tc.want {
			t.Errorf("formatOneIn(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatWait(t *testing.T) {
	tests := []struct {
		in   float64
		want string
	}{
		{math.Inf(1), "never"},
		{0.002, "<1 s"},
		{42, "42 s"},
		{13 * 60, "13 min"},
		{4.2 * 3600, "4.2 h"},
		{3.1 * 86400, "3.1 days"},
		{2.5 * secYear, "2.5 years"},
		{4.294967296e11, "13,610 years"},
		{8.589934592e17, "27.2 billion years"},
		{1.36e7 * secYear, "13.6 million years"},
		{3e13 * secYear, "3e13 years"},
	}
	for _, tc := range tests {
		if got := formatWait(tc.in); got != tc.want {
			t.Errorf("formatWait(%g) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFormatMisc(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{formatCount(uint64(0)), "0"},
		{formatCount(int64(871234)), "871,234"},
		{formatCount(uint64(1234567)), "1,234,567"},
		{formatCount(-1234), "-1,234"},
		{formatBTC(312500000), "3.12500000 BTC"},
		{formatBTC(12345678), "0.12345678 BTC"},
		{formatAge(12 * time.Second), "12s"},
		{formatAge(192 * time.Second), "3m12s"},
		{formatAge(2*time.Hour + 3*time.Minute), "2h03m"},
		{formatAge(50 * time.Hour), "2d02h"},
		{formatAge(-time.Second), "0s"},
		{formatOfNetwork(1.1e9, 1e14, "x"), "0.0011% of network"},
		{formatOfNetwork(1e3, 4.656542e-10, "x"), "2.15Tx network"},
		{formatOfNetwork(0, 1e14, "x"), ""},
		{formatErrorRate(0), "0%"},
		{formatErrorRate(3 / 40214.0), "<0.01%"},
		{formatErrorRate(12 / 10000.0), "0.12%"},
		{formatErrorRate(0.034), "3.4%"},
		{formatErrorRate(1), "100%"},
		{formatEffort(0), "0%"},
		{formatEffort(2.13e-8), "2.13e-6%"},
		{formatEffort(0.00123), "0.123%"},
		{formatEffort(0.375), "37.5%"},
		{formatEffort(2.5), "250%"},
		{formatEffort(1.2e6), "1.2M blocks' worth"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
