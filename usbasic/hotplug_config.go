package usbasic

import (
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"
)

// Config configures a Manager.
type Config struct {
	// Freq is the hash clock in MHz per stick serial number; the key ""
	// applies to every stick without its own entry. Missing or 0 means the
	// model's default. Values outside a model's range are clamped to it
	// (with a warning in the log). ParseFreqFlags builds it from flags.
	Freq map[string]float64
	// Logger receives the manager's and the drivers' logs; nil discards.
	Logger *slog.Logger
	// PollInterval is how often the bus is scanned for sticks plugged in or
	// out (default 1 s).
	PollInterval time.Duration
	// Probe confirms sticks whose strings are generic (a Block Erupter
	// behind a plain CP2102); nil uses Selftest.
	Probe ProbeFunc
	// SimShareDiff is a test knob for emulated sticks only (chipsim's
	// --share-diff): the difficulty down to which the simulated chips
	// report nonces. Never set it for real hardware, which reports nothing
	// below difficulty 1; 0 is right for users.
	SimShareDiff float64
}

// maxFreqMHz bounds what ParseFreqFlags accepts; each model's own range
// is applied later.
const maxFreqMHz = 2000

// ParseFreqFlags parses the values of repeated --usb-freq flags: "MHZ" for
// every stick, "SERIAL=MHZ" for one. The result is Config.Freq.
func ParseFreqFlags(values []string) (map[string]float64, error) {
	freq := make(map[string]float64, len(values))
	for _, v := range values {
		serial, mhz, found := strings.Cut(strings.TrimSpace(v), "=")
		if !found {
			serial, mhz = "", serial
		} else if serial = strings.TrimSpace(serial); serial == "" {
			return nil, fmt.Errorf("--usb-freq %q: no serial before '=' (want MHZ or SERIAL=MHZ, e.g. 200 or GSF0001=450)", v)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(mhz), 64)
		if err != nil {
			return nil, fmt.Errorf("--usb-freq %q: %q is not a number of MHz (want MHZ or SERIAL=MHZ, e.g. 200 or GSF0001=450)", v, strings.TrimSpace(mhz))
		}
		if math.IsNaN(f) || f <= 0 || f > maxFreqMHz {
			return nil, fmt.Errorf("--usb-freq %q: the frequency must be above 0 and at most %d MHz", v, maxFreqMHz)
		}
		if _, dup := freq[serial]; dup {
			who := "every stick"
			if serial != "" {
				who = "stick " + serial
			}
			return nil, fmt.Errorf("--usb-freq %q: a frequency for %s was already given", v, who)
		}
		freq[serial] = f
	}
	return freq, nil
}

// freqFor is the clock to run stick d at, and whether the user's value had
// to be clamped to the model's range.
func (c *Config) freqFor(d Device) (mhz float64, asked float64) {
	asked, ok := c.Freq[d.Serial]
	if !ok || d.Serial == "" {
		asked = c.Freq[""]
	}
	return d.Model.ClampMHz(asked), asked
}
