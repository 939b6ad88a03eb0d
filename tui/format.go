package tui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// siPrefixes are the suffixes of formatSI, one per power of 1000.
var siPrefixes = [...]string{"", "K", "M", "G", "T", "P", "E", "Z", "Y"}

// formatSI formats v with three significant digits and an SI suffix:
// 1.23G, 456M, 999, 12.3, 0.5, 4.66e-10. Trailing zeros are dropped (1K, not
// 1.00K). It is used for difficulties and counts of hashes.
func formatSI(v float64) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case math.IsInf(v, 1):
		return "inf"
	case math.IsInf(v, -1):
		return "-inf"
	case v < 0:
		return "-" + formatSI(-v)
	case v == 0:
		return "0"
	case v < 1:
		return formatSmall(v)
	}
	group := int(math.Floor(math.Log10(v) / 3))
	for {
		if group >= len(siPrefixes) {
			return formatSmall(v)
		}
		scaled := v / math.Pow(1000, float64(group))
		s := sig3(scaled)
		if s == "1000" {
			group++
			continue
		}
		return s + siPrefixes[group]
	}
}

// sig3 formats 1 <= x < 1000 with three significant digits, trailing zeros
// dropped. It returns "1000" when x rounds up to it.
func sig3(x float64) string {
	var s string
	switch {
	case x < 9.995:
		s = strconv.FormatFloat(x, 'f', 2, 64)
	case x < 99.95:
		s = strconv.FormatFloat(x, 'f', 1, 64)
	default:
		s = strconv.FormatFloat(x, 'f', 0, 64)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// formatSmall formats v (usually below 1) with three significant digits and
// a short exponent: 0.5, 0.0123, 4.66e-10.
func formatSmall(v float64) string {
	s := strconv.FormatFloat(v, 'g', 3, 64)
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		mant, exp := s[:i], s[i+1:]
		sign := ""
		if exp[0] == '-' {
			sign = "-"
		}
		exp = strings.TrimLeft(exp, "+-0")
		if exp == "" {
			exp = "0"
		}
		s = mant + "e" + sign + exp
	}
	return s
}

// hashUnits are the units of formatHashrate, one per power of 1000.
var hashUnits = [...]string{"H/s", "kH/s", "MH/s", "GH/s", "TH/s", "PH/s", "EH/s", "ZH/s", "YH/s"}

// formatHashrate formats a rate in H/s with three significant digits:
// "0 H/s", "512 kH/s", "1.21 TH/s".
func formatHashrate(h float64) string {
	if math.IsNaN(h) || h <= 0 {
		return "0 H/s"
	}
	if math.IsInf(h, 1) {
		return "inf H/s"
	}
	if h < 1 {
		return formatSmall(h) + " H/s"
	}
	group := int(math.Floor(math.Log10(h) / 3))
	for group < len(hashUnits) {
		s := sig3(h / math.Pow(1000, float64(group)))
		if s == "1000" {
			group++
			continue
		}
		return s + " " + hashUnits[group]
	}
	return formatSmall(h) + " H/s"
}

// formatCount formats n with thousands separators: 1,234,567.
func formatCount[T ~int | ~int64 | ~uint64 | ~int32 | ~uint32](n T) string {
	neg := n < 0
	var u uint64
	if neg {
		u = uint64(-int64(n))
	} else {
		u = uint64(n)
	}
	s := strconv.FormatUint(u, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatBTC formats satoshis as bitcoin with eight decimals.
func formatBTC(sat int64) string {
	sign := ""
	if sat < 0 {
		sign, sat = "-", -sat
	}
	return fmt.Sprintf("%s%d.%08d BTC", sign, sat/1e8, sat%1e8)
}

// formatAge formats a short elapsed time for status lines: "12s", "3m12s",
// "2h03m", "4d02h". Negative durations (clock skew) print as "0s".
func formatAge(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, (s%3600)/60)
	default:
		return fmt.Sprintf("%dd%02dh", s/86400, (s%86400)/3600)
	}
}

// Lengths of time in seconds used by the odds.
const (
	secMinute = 60.0
	secHour   = 3600.0
	secDay    = 86400.0
	secYear   = 365.25 * secDay // Julian year
	secMonth  = secYear / 12
	secWeek   = 7 * secDay
)

// formatWait formats a long expected wait given in seconds: "<1 s", "42 s",
// "13 min", "4.2 h", "3.1 days", "13,610 years", "27.2 billion years". An
// infinite wait (no hashrate) is "never".
func formatWait(sec float64) string {
	switch {
	case math.IsNaN(sec) || math.IsInf(sec, 1):
		return "never"
	case sec < 1:
		return "<1 s"
	case sec < secMinute:
		return fmt.Sprintf("%.0f s", sec)
	case sec < secHour:
		return fmt.Sprintf("%.0f min", sec/secMinute)
	case sec < secDay:
		return fmt.Sprintf("%.1f h", sec/secHour)
	case sec < secYear:
		return fmt.Sprintf("%.1f days", sec/secDay)
	}
	y := sec / secYear
	switch {
	case y < 10:
		return fmt.Sprintf("%.1f years", y)
	case y < 1e6:
		return formatCount(int64(math.Round(y))) + " years"
	case y < 1e9:
		return sig3(y/1e6) + " million years"
	case y < 1e12:
		return sig3(y/1e9) + " billion years"
	default:
		return formatSmall(y) + " years"
	}
}

// formatPercent formats a probability (0…1) as a percentage that never
// rounds a small chance to zero or a near-certainty to 100%: "0%", "2.01e-5%",
// "0.0123%", "12.3%", ">99.99%", "100%".
func formatPercent(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p <= 0:
		return "0%"
	case p >= 1:
		return "100%"
	case 1-p < 5e-5:
		return ">99.99%"
	}
	pct := p * 100
	switch {
	case pct >= 99.95:
		return fmt.Sprintf("%.2f%%", pct)
	case pct >= 10:
		return fmt.Sprintf("%.1f%%", pct)
	case pct >= 1e-3:
		return strconv.FormatFloat(pct, 'g', 3, 64) + "%"
	default:
		return formatSmall(pct) + "%"
	}
}

// formatOneIn formats a probability as odds: "1 in 4.97M". A probability of
// zero is "never"; one of at least 1/1.005 is "1 in 1".
func formatOneIn(p float64) string {
	switch {
	case math.IsNaN(p) || p <= 0:
		return "never"
	case p >= 1/1.005:
		return "1 in 1"
	}
	n := 1 / p
	if n < 10 {
		return "1 in " + strconv.FormatFloat(n, 'f', 1, 64)
	}
	return "1 in " + formatSI(n)
}

// formatOfNetwork formats a share's difficulty as a fraction of the network
// difficulty: "0.0011% of network", or "4.3e11x network" once it is at least
// the network difficulty (a block). times is the multiplication sign glyph.
func formatOfNetwork(share, network float64, times string) string {
	if network <= 0 || share <= 0 {
		return ""
	}
	r := share / network
	if r >= 1 {
		return formatSI(r) + times + " network"
	}
	return formatPercent(r) + " of network"
}

// formatEffort formats work done as a fraction of one block's expected
// work. Unlike a probability it has no ceiling: "2.13e-6%", "37.5%",
// "250%", "1.2M blocks' worth".
func formatEffort(e float64) string {
	pct := e * 100
	switch {
	case math.IsNaN(e) || e <= 0:
		return "0%"
	case pct < 1e-3:
		return formatSmall(pct) + "%"
	case pct < 1:
		return strconv.FormatFloat(pct, 'g', 3, 64) + "%"
	case pct < 1000:
		return sig3(pct) + "%"
	default:
		return formatSI(e) + " blocks' worth"
	}
}

// formatErrorRate formats a device's error rate in at most six cells:
// "0%", "<0.01%", "0.12%", "3.4%", "25%".
func formatErrorRate(p float64) string {
	pct := p * 100
	switch {
	case math.IsNaN(p) || p <= 0:
		return "0%"
	case pct < 0.01:
		return "<0.01%"
	case pct < 1:
		return fmt.Sprintf("%.2f%%", pct)
	case pct < 10:
		return fmt.Sprintf("%.1f%%", pct)
	default:
		return fmt.Sprintf("%.0f%%", math.Min(pct, 100))
	}
}
