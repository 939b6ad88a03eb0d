//go:build unix

// Command chipsim plays the chips of a USB miner stick for the umockdev USB
// emulator's exec: plug-in: stdin carries the bytes the host writes to the
// stick, stdout the bytes the chips send back, and the descriptor named by
// $USBSTICK_CONTROL_FD the bridge's settings changes (baud, bit-bang reset
// line, purges, CP2102 enable), each applied at its place in the stream.
//
//	chipsim --family bm1397|bm1387|bm1384|icarus|antminer [--chips N] [--cores N]
//	        [--share-diff X] [--silent-after-jobs N] [--garbage]
//	        [--corrupt-every N] [--hash-rate H] [--recover-on-reset] [--lenient]
//
// Without --family the family is chosen from $USBSTICK_PRODUCT. The line
// starts as a bridge powers up (9600 baud; a CP2102 passes nothing until
// enabled), so a host that skips a set-up step hears nothing, as with real
// hardware; --lenient turns those checks off.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/soloist-miner/soloist/usbasic/chipsim"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "chipsim:", err)
		os.Exit(2)
	}
}

func familyFromProduct(p string) chipsim.Family {
	p = strings.ToLower(p)
	switch {
	case strings.Contains(p, "compacf"), strings.Contains(p, "r909"):
		return chipsim.BM1397
	case strings.Contains(p, "newpac"), strings.Contains(p, "r606"):
		return chipsim.BM1387
	case strings.Contains(p, "bm1384"):
		return chipsim.BM1384
	case strings.Contains(p, "antminer"):
		return chipsim.Antminer
	}
	return chipsim.Icarus
}

// parseDiff accepts a number or a fraction such as 1/1024.
func parseDiff(s string) (float64, error) {
	if a, b, ok := strings.Cut(s, "/"); ok {
		x, err1 := strconv.ParseFloat(a, 64)
		y, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil || y == 0 {
			return 0, fmt.Errorf("share difficulty %q: want a number or a fraction like 1/1024", s)
		}
		return x / y, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("share difficulty %q: want a number or a fraction like 1/1024", s)
	}
	return v, nil
}

func run(args []string) error {
	fs := flag.NewFlagSet("chipsim", flag.ContinueOnError)
	family := fs.String("family", "", "chip family: bm1397, bm1387, bm1384, icarus or antminer (default: from $USBSTICK_PRODUCT)")
	chips := fs.Int("chips", 0, "chips on the chain (default: the model's)")
	cores := fs.Int("cores", 0, "cores per chip (informational)")
	share := fs.String("share-diff", "", "report every nonce of at least this difficulty, e.g. 1/1024 (test knob)")
	silent := fs.Int("silent-after-jobs", 0, "stop answering after N jobs")
	recover := fs.Bool("recover-on-reset", false, "a reset pulse ends --silent-after-jobs")
	garbage := fs.Bool("garbage", false, "send random bytes between replies")
	corrupt := fs.Int("corrupt-every", 0, "flip a bit in every N-th nonce")
	rate := fs.Float64("hash-rate", 1e6, "hashes per second to compute")
	lenient := fs.Bool("lenient", false, "ignore baud mismatches and the CP2102 enable")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := chipsim.Config{
		Family: chipsim.Family(*family), Chips: *chips, Cores: *cores,
		SilentAfterJobs: *silent, RecoverOnReset: *recover, Garbage: *garbage,
		CorruptEvery: *corrupt, HashRate: *rate, Seed: uint64(time.Now().UnixNano()),
	}
	if cfg.Family == "" {
		cfg.Family = familyFromProduct(os.Getenv("USBSTICK_PRODUCT"))
	}
	switch cfg.Family {
	case chipsim.BM1397, chipsim.BM1387, chipsim.BM1384, chipsim.Icarus, chipsim.Antminer:
	default:
		return fmt.Errorf("unknown family %q: want bm1397, bm1387, bm1384, icarus or antminer", cfg.Family)
	}
	if cfg.Chips == 0 {
		cfg.Chips = defaultChips(cfg.Family, os.Getenv("USBSTICK_PRODUCT"))
	}
	if *share != "" {
		d, err := parseDiff(*share)
		if err != nil {
			return err
		}
		cfg.ShareDiff = d
	}
	if !*lenient {
		cfg.HostBaud = 9600
		cfg.NeedEnable = os.Getenv("USBSTICK_BRIDGE") == "cp2102" ||
			(os.Getenv("USBSTICK_BRIDGE") == "" && (cfg.Family == chipsim.BM1384 || cfg.Family == chipsim.Icarus || cfg.Family == chipsim.Antminer))
	}
	sim := chipsim.New(cfg)
	defer sim.Close()

	go func() {
		buf := make([]byte, 4096)
		for {
			n := sim.ReadOutput(buf, 100*time.Millisecond)
			if n > 0 {
				if _, err := os.Stdout.Write(buf[:n]); err != nil {
					return
				}
			}
		}
	}()

	ctl := -1
	if s := os.Getenv("USBSTICK_CONTROL_FD"); s != "" {
		fd, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("USBSTICK_CONTROL_FD %q is not a descriptor number", s)
		}
		ctl = fd
	}
	return pump(sim, os.Stdin, ctl)
}

func defaultChips(f chipsim.Family, product string) int {
	p := strings.ToLower(product)
	switch {
	case strings.Contains(p, "r606"):
		return 12
	case strings.Contains(p, "r909"):
		return 6
	case strings.Contains(p, "newpac"), strings.Contains(p, "2pac"):
		return 2
	}
	return 1
}

type event struct {
	off  int64
	name string
	args []string
}

// pump feeds stdin to the sim, applying each control event at its offset.
func pump(sim *chipsim.Sim, in *os.File, ctl int) error {
	var (
		pos     int64
		pending []event
		partial string
		ctlOpen = ctl >= 0
		buf     = make([]byte, 4096)
	)
	readCtl := func(wait bool) {
		for ctlOpen {
			fds := []unix.PollFd{{Fd: int32(ctl), Events: unix.POLLIN}}
			to := 0
			if wait {
				to = -1
			}
			n, err := unix.Poll(fds, to)
			if err == unix.EINTR {
				continue
			}
			if err != nil || n == 0 {
				return
			}
			b := make([]byte, 4096)
			m, err := unix.Read(ctl, b)
			if m <= 0 || err != nil {
				ctlOpen = false
				return
			}
			partial += string(b[:m])
			for {
				line, rest, ok := strings.Cut(partial, "\n")
				if !ok {
					break
				}
				partial = rest
				f := strings.Fields(line)
				if len(f) < 2 {
					continue
				}
				off, err := strconv.ParseInt(f[0], 10, 64)
				if err != nil {
					continue
				}
				pending = append(pending, event{off, f[1], f[2:]})
			}
			wait = false
		}
	}
	apply := func(upto int64) {
		sort.SliceStable(pending, func(i, j int) bool { return pending[i].off < pending[j].off })
		for len(pending) > 0 && pending[0].off <= upto {
			applyEvent(sim, pending[0])
			pending = pending[1:]
		}
	}
	r := bufio.NewReader(in)
	for {
		fds := []unix.PollFd{{Fd: int32(in.Fd()), Events: unix.POLLIN}}
		if ctlOpen {
			fds = append(fds, unix.PollFd{Fd: int32(ctl), Events: unix.POLLIN})
		}
		if r.Buffered() == 0 {
			if _, err := unix.Poll(fds, -1); err != nil && err != unix.EINTR {
				return err
			}
		}
		readCtl(false)
		apply(pos)
		if r.Buffered() == 0 && fds[0].Revents == 0 {
			continue
		}
		n, err := r.Read(buf)
		if n > 0 {
			readCtl(false) // events written before these bytes arrived
			chunk := buf[:n]
			for len(chunk) > 0 {
				cut := len(chunk)
				for _, e := range pending {
					if e.off > pos && e.off < pos+int64(cut) {
						cut = int(e.off - pos)
					}
				}
				sim.Input(chunk[:cut])
				pos += int64(cut)
				chunk = chunk[cut:]
				apply(pos)
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func applyEvent(sim *chipsim.Sim, e event) {
	arg := func(i int) string {
		if i < len(e.args) {
			return e.args[i]
		}
		return ""
	}
	switch e.name {
	case "baud":
		if b, err := strconv.Atoi(arg(0)); err == nil {
			sim.SetHostBaud(b)
		}
	case "bitmode":
		mode, _ := strconv.ParseUint(strings.TrimPrefix(arg(0), "0x"), 16, 8)
		pins, _ := strconv.ParseUint(strings.TrimPrefix(arg(1), "0x"), 16, 8)
		// CBUS bit-bang: CBUS1 (pin bit 1) is the chips' nRST; it is an
		// output when bit 5 of the mask is set.
		sim.SetReset(mode == 0x20 && pins&0x20 != 0 && pins&0x02 == 0)
	case "purge":
		if arg(0) == "" || arg(0) == "rx" {
			sim.PurgeOutput()
		}
	case "enable":
		sim.SetEnabled(arg(0) == "1")
	}
}
