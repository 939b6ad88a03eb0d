package tui

import "fmt"

// The odds of a 1 TH/s miner against difficulty 1e14, as the screen shows
// them.
func Example_odds() {
	o := computeOdds(1e12, 1e14, 0, 0)
	fmt.Println("day:", formatPercent(o.chances[1]), formatOneIn(o.perDay))
	fmt.Println("year:", formatPercent(o.chances[4]))
	fmt.Println("expected:", formatWait(o.expected))
	fmt.Println("median:", formatWait(o.median))
	// Output:
	// day: 2.01e-5% 1 in 4.97M
	// year: 0.00735%
	// expected: 13,610 years
	// median: 9,434 years
}

func Example_formatSI() {
	fmt.Println(formatSI(1.234e9), formatSI(456.7e6), formatSI(4.656542e-10), formatHashrate(512e3))
	// Output: 1.23G 457M 4.66e-10 512 kH/s
}
