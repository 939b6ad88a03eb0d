package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/soloist-miner/soloist/usbasic"
)

const devicesUsage = `soloist devices — list the USB miner sticks attached, and why any cannot be used

Usage:
  soloist devices [--selftest] [--json] [--usb-freq MHZ|SERIAL=MHZ]...

  --selftest   send each stick work whose answer is known and report pass or fail
  --json       print the list as JSON
  --usb-freq   the frequency to show for the sticks (as for mining)

`

// devicesDeps is what runDevices uses from package usbasic.
type devicesDeps struct {
	probe    usbasic.ProbeFunc
	selftest func(context.Context, usbasic.Port, usbasic.Model) (usbasic.SelftestResult, error)
}

func defaultDevicesDeps() devicesDeps {
	return devicesDeps{probe: usbasic.SelftestProbe, selftest: usbasic.Selftest}
}

// stringsFlag collects the values of a repeated flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// runDevices is `soloist devices`. It exits 0 when it ran, whatever it
// found, and 2 on bad flags.
func runDevices(args []string, stdout, stderr io.Writer) int {
	return runDevicesWith(defaultDevicesDeps(), args, stdout, stderr)
}

// deviceReport is one device of `soloist devices`, also its JSON form.
type deviceReport struct {
	At           string           `json:"at"`
	ID           string           `json:"id"`
	Model        string           `json:"model,omitempty"`
	Title        string           `json:"title,omitempty"`
	Manufacturer string           `json:"manufacturer"`
	Product      string           `json:"product"`
	Serial       string           `json:"serial"`
	Bridge       string           `json:"bridge"`
	Family       string           `json:"family,omitempty"`
	Chips        int              `json:"chips,omitempty"`
	MHz          float64          `json:"mhz,omitempty"`
	Probed       bool             `json:"probed,omitempty"`
	State        string           `json:"state"`
	Error        string           `json:"error,omitempty"`
	Advice       []string         `json:"advice,omitempty"`
	Selftest     *selftestOutcome `json:"selftest,omitempty"`
}

type selftestOutcome struct {
	Pass    bool    `json:"pass"`
	Seconds float64 `json:"seconds"` // set-up and test, as the user waits for it
	Chips   int     `json:"chips,omitempty"`
	Error   string  `json:"error,omitempty"`
}

type devicesOutput struct {
	USB       string         `json:"usb"` // "ok", or why there is none
	USBAdvice []string       `json:"usb_advice,omitempty"`
	Devices   []deviceReport `json:"devices"`
}

func runDevicesWith(deps devicesDeps, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("soloist devices", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, devicesUsage)
		fs.PrintDefaults()
	}
	selftest := fs.Bool("selftest", false, "send each stick known work and report pass or fail with the time it took")
	asJSON := fs.Bool("json", false, "print JSON")
	var freqFlags stringsFlag
	fs.Var(&freqFlags, "usb-freq", "frequency `MHZ` for all sticks, or SERIAL=MHZ (repeatable)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "soloist devices: unexpected argument %q; see soloist devices --help\n", fs.Arg(0))
		return exitUsage
	}
	freq, err := usbasic.ParseFreqFlags(freqFlags)
	if err != nil {
		fmt.Fprintln(stderr, "soloist devices:", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	out := collectDevices(ctx, deps, freq, *selftest)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			fmt.Fprintln(stderr, "soloist devices:", err)
			return exitError
		}
		return exitOK
	}
	printDevices(stdout, out, *selftest)
	return exitOK
}

// collectDevices scans the bus (probing sticks with generic strings by
// their self-test) and, with selftest, tests every usable stick.
func collectDevices(ctx context.Context, deps devicesDeps, freq map[string]float64, selftest bool) devicesOutput {
	out := devicesOutput{USB: "ok", Devices: []deviceReport{}}
	bus, err := usbasic.OpenBus(nil)
	if err != nil {
		out.USB, out.USBAdvice = err.Error(), usbasic.Explain(err, usbasic.Device{})
		return out
	}
	defer bus.Close()
	devs, err := bus.Scan(ctx, usbasic.ScanOptions{Probe: deps.probe})
	if err != nil {
		out.USB, out.USBAdvice = err.Error(), usbasic.Explain(err, usbasic.Device{})
		return out
	}
	for _, d := range devs {
		r := report(d, freq)
		if selftest && d.Usable() {
			r.Selftest = runSelftest(ctx, bus, d, deps.selftest)
			if r.Selftest.Chips > 0 {
				r.Chips = r.Selftest.Chips
			}
			if !r.Selftest.Pass {
				r.State = "selftest failed"
			}
		}
		out.Devices = append(out.Devices, r)
	}
	return out
}

func report(d usbasic.Device, freq map[string]float64) deviceReport {
	r := deviceReport{
		At: d.Location(), ID: d.ID(), Manufacturer: d.Manufacturer, Product: d.Product, Serial: d.Serial,
		Bridge: bridgeOf(d).String(), Probed: d.Probed, State: "ready",
	}
	if m := d.Model; m.Name != "" {
		r.Model, r.Title, r.Family, r.Chips = m.Name, m.Title, m.Family.String(), m.Chips
		asked, ok := freq[d.Serial]
		if !ok || d.Serial == "" {
			asked = freq[""]
		}
		r.MHz = m.ClampMHz(asked)
	}
	if d.Err != nil {
		r.State, r.Error, r.Advice = stateOf(d.Err), d.Err.Error(), usbasic.Explain(d.Err, d)
	}
	return r
}

// bridgeOf is the device's bridge, known from its VID:PID even when its
// model is not.
func bridgeOf(d usbasic.Device) usbasic.Bridge {
	if d.Model.Bridge != usbasic.BridgeUnknown {
		return d.Model.Bridge
	}
	switch {
	case d.VID == usbasic.VIDFTDI && d.PID == usbasic.PIDFT230X:
		return usbasic.BridgeFT230X
	case d.VID == usbasic.VIDSiLabs && d.PID == usbasic.PIDCP2102:
		return usbasic.BridgeCP2102
	}
	return usbasic.BridgeUnknown
}

func stateOf(err error) string {
	switch {
	case errors.Is(err, usbasic.ErrNoPermission):
		return "no permission"
	case errors.Is(err, usbasic.ErrBusy):
		return "busy"
	case errors.Is(err, usbasic.ErrNotMiner):
		return "not a miner"
	case errors.Is(err, usbasic.ErrLost):
		return "gone"
	}
	return "error"
}

func runSelftest(ctx context.Context, bus *usbasic.Bus, d usbasic.Device,
	selftest func(context.Context, usbasic.Port, usbasic.Model) (usbasic.SelftestResult, error)) *selftestOutcome {
	start := time.Now()
	port, err := bus.Open(ctx, d)
	var res usbasic.SelftestResult
	if err == nil {
		res, err = selftest(ctx, port, d.Model)
		port.Close()
		if err == nil && !res.Pass {
			err = errors.New(res.Detail)
		}
	}
	o := &selftestOutcome{Pass: err == nil, Seconds: time.Since(start).Seconds(), Chips: res.Chips}
	if err != nil {
		o.Error = err.Error()
	}
	return o
}

func printDevices(w io.Writer, out devicesOutput, selftest bool) {
	if out.USB != "ok" {
		fmt.Fprintln(w, "USB:", out.USB)
		for _, line := range out.USBAdvice {
			fmt.Fprintln(w, "  "+line)
		}
		return
	}
	if len(out.Devices) == 0 {
		fmt.Fprintln(w, "No USB miner sticks found (soloist looks for FT230X 0403:6015 and CP2102 10c4:ea60 bridges).")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "AT\tMODEL\tSERIAL\tBRIDGE\tCHIPS\tMHZ\tSTATE")
	for _, r := range out.Devices {
		model, chips, mhz := r.Model, "-", "-"
		if model == "" {
			model = "-"
		}
		if r.Probed {
			model += " (probed)"
		}
		if r.Chips > 0 {
			chips = strconv.Itoa(r.Chips)
		}
		if r.MHz > 0 {
			mhz = strconv.FormatFloat(r.MHz, 'f', -1, 64)
		} else if r.Model != "" {
			mhz = "fixed"
		}
		serial := r.Serial
		if serial == "" {
			serial = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.At, model, serial, r.Bridge, chips, mhz, r.State)
	}
	tw.Flush()
	for _, r := range out.Devices {
		if len(r.Advice) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s %s %q %q: %s\n", r.At, r.ID, r.Manufacturer, r.Product, r.State)
		for _, line := range r.Advice {
			fmt.Fprintln(w, "  "+line)
		}
	}
	if !selftest {
		return
	}
	fmt.Fprintln(w, "\nSelf-test:")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range out.Devices {
		if r.Selftest == nil {
			continue
		}
		verdict := "pass"
		if !r.Selftest.Pass {
			verdict = "FAIL: " + r.Selftest.Error
		}
		fmt.Fprintf(tw, "  %s\t%s\t%.2fs\t%s\n", r.At, r.Model+" "+r.Serial, r.Selftest.Seconds, verdict)
	}
	tw.Flush()
}
