package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/usbasic"
)

func TestDevicesFlags(t *testing.T) {
	tests := []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"--bogus"}, exitUsage, "flag provided but not defined: -bogus"},
		{[]string{"--usb-freq", "fast"}, exitUsage, `"fast" is not a number of MHz`},
		{[]string{"--usb-freq", "=200"}, exitUsage, "no serial before '='"},
		{[]string{"extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"--help"}, exitOK, "soloist devices [--selftest]"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if got := runDevices(tt.args, &stdout, &stderr); got != tt.status {
			t.Errorf("%v: exit %d, want %d", tt.args, got, tt.status)
		}
		if !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%v: stderr %q, want %q", tt.args, stderr.String(), tt.stderr)
		}
	}
	var stdout, stderr bytes.Buffer
	runDevices([]string{"--usb-freq", "fast"}, &stdout, &stderr)
	if n := strings.Count(strings.TrimSpace(stderr.String()), "\n"); n != 0 {
		t.Errorf("bad --usb-freq: %d lines, want one: %q", n+1, stderr.String())
	}
}

func TestDevicesWithoutCgo(t *testing.T) {
	if usbasic.BuiltIn {
		t.Skip("this test binary has USB built in; the CGO_ENABLED=0 run of the tests covers this")
	}
	var stdout, stderr bytes.Buffer
	if got := runDevices(nil, &stdout, &stderr); got != exitOK {
		t.Fatalf("exit %d", got)
	}
	for _, want := range []string{"not built in", "CGO_ENABLED=1", "libusb-1.0-0-dev"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, stdout.String())
		}
	}
}

// What the user reads for each reason a stick cannot be used.
func TestDevicesPrintsAdvice(t *testing.T) {
	compacf, _ := usbasic.LookupModel("compacf")
	devs := []usbasic.Device{
		{Bus: 1, Address: 2, VID: 0x0403, PID: 0x6015, Manufacturer: "GekkoScience", Product: "CompacF Bitcoin Miner", Serial: "GSF1", Model: compacf},
		{Bus: 1, Address: 3, VID: 0x10c4, PID: 0xea60, Err: fmt.Errorf("usbasic: open 001/003: %w: libusb: bad access [code -3]", usbasic.ErrNoPermission)},
		{Bus: 1, Address: 4, VID: 0x0403, PID: 0x6015, Serial: "FT4", Err: fmt.Errorf("claim: %w", usbasic.ErrBusy)},
		{Bus: 1, Address: 5, VID: 0x10c4, PID: 0xea60, Manufacturer: "Silicon Labs", Product: "CP2102 USB to UART Bridge Controller", Serial: "0001",
			Err: fmt.Errorf("001/005 10c4:ea60: %w", usbasic.ErrNotMiner)},
	}
	out := devicesOutput{USB: "ok"}
	for _, d := range devs {
		out.Devices = append(out.Devices, report(d, map[string]float64{"GSF1": 450}))
	}
	var b bytes.Buffer
	printDevices(&b, out, false)
	text := b.String()
	for _, want := range []string{
		"001/002  compacf  GSF1    FT230X  1      450  ready",
		"001/003  -        -       CP2102  -      -    no permission",
		"001/004  -        FT4     FT230X  -      -    busy",
		"not a miner",
		// EACCES: the exact rule, where it goes, and how to apply it.
		`SUBSYSTEM=="usb", ATTRS{idVendor}=="10c4", ATTRS{idProduct}=="ea60", MODE="0660", GROUP="plugdev"`,
		"/etc/udev/rules.d/60-soloist.rules",
		"sudo udevadm control --reload-rules && sudo udevadm trigger",
		// EBUSY: who may hold it.
		"cgminer", "brltty",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	for _, why := range []error{usbasic.ErrNoUSB, usbasic.ErrNotBuiltIn} {
		var b bytes.Buffer
		printDevices(&b, devicesOutput{USB: why.Error(), USBAdvice: usbasic.Explain(why, usbasic.Device{})}, false)
		if !strings.HasPrefix(b.String(), "USB: "+why.Error()) || strings.Count(b.String(), "\n") < 2 {
			t.Errorf("%v: %q", why, b.String())
		}
	}
}

// --- soloist devices against emulated sticks (../shared/usb-emulator) ---

const (
	envSkipEmulator = "SOLOIST_SKIP_USB_EMULATOR" // =1: skip (local runs without umockdev)
	envEmulatorPath = "SOLOIST_USB_EMULATOR"      // the script, or its folder
)

var emulatorOnce struct {
	sync.Once
	path string
	err  error
}

func requireEmulator(t *testing.T) string {
	t.Helper()
	if !usbasic.BuiltIn {
		t.Skip("built without cgo: there is no USB path to test")
	}
	if os.Getenv(envSkipEmulator) == "1" {
		t.Skipf("%s=1: USB emulator tests skipped", envSkipEmulator)
	}
	emulatorOnce.Do(func() {
		path := os.Getenv(envEmulatorPath)
		if path == "" {
			path = filepath.Join("..", "shared", "usb-emulator")
		}
		if st, err := os.Stat(path); err == nil && st.IsDir() {
			path = filepath.Join(path, "usbstick_emu.py")
		}
		out, err := exec.Command("/usr/bin/python3", path, "--check").CombinedOutput()
		if err != nil {
			emulatorOnce.err = fmt.Errorf("%s --check: %v: %s (run ../shared/usb-emulator/setup.sh)", path, err, strings.TrimSpace(string(out)))
			return
		}
		emulatorOnce.path, _ = filepath.Abs(path)
	})
	if emulatorOnce.err != nil {
		t.Fatalf("USB emulator cannot run (%s=1 skips this locally): %v", envSkipEmulator, emulatorOnce.err)
	}
	return emulatorOnce.path
}

// buildTools builds soloist and the chipsim chip model into a directory
// every user can read, removed after the test (outside the emulator: never
// run go under it).
func buildTools(t *testing.T) (dir string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "soloist-devices-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, b := range [][2]string{{"soloist", "."}, {"chipsim", "./usbasic/chipsim/cmd/chipsim"}} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, b[0]), b[1]).CombinedOutput()
		if err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return dir
}

// underEmulator runs the built soloist with args under the emulator.
func underEmulator(t *testing.T, dir string, emuArgs []string, nobody bool, args ...string) (string, error) {
	t.Helper()
	emu := requireEmulator(t)
	soloist := filepath.Join(dir, "soloist")
	cmdline := append([]string{"/usr/bin/python3", emu}, emuArgs...)
	cmdline = append(append(cmdline, "--", soloist), args...)
	if nobody && os.Getuid() == 0 {
		cmdline = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, cmdline...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cmdline[0], cmdline[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir)
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestDevicesEmulated(t *testing.T) {
	requireEmulator(t)
	dir := buildTools(t)
	chipsim := filepath.Join(dir, "chipsim")
	model := func(family string) string {
		return ",model=exec:'" + chipsim + "' --hash-rate 100000 --family " + family
	}
	emu := []string{
		"--device", "compacf,serial=GSF0001" + model("bm1397"),
		"--device", "newpac,serial=GSH0002" + model("bm1387"),
		"--device", "compac,serial=GSC0003" + model("bm1384"),
		"--device", "erupter" + model("icarus"),
		"--device", "cp2102", // a plain USB-serial adapter (echo): not a miner
	}
	out, err := underEmulator(t, dir, emu, false, "devices", "--selftest", "--usb-freq", "GSF0001=300")
	if err != nil {
		t.Fatalf("soloist devices --selftest: %v\n%s", err, out)
	}
	for _, want := range []string{
		"001/002  compacf",
		"GSF0001  FT230X  1      300",
		"001/003  newpac",
		"001/004  compac",
		"001/005  erupter (probed)",
		"001/006  -",
		"not a miner",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// One pass line per stick, with the time it took.
	for _, at := range []string{"001/002", "001/003", "001/004", "001/005"} {
		found := false
		for line := range strings.Lines(out) {
			if f := strings.Fields(line); len(f) >= 4 && f[0] == at && strings.HasSuffix(f[len(f)-2], "s") && f[len(f)-1] == "pass" {
				found = true
			}
		}
		if !found {
			t.Errorf("no self-test pass line for %s:\n%s", at, out)
		}
	}
}

func TestDevicesEmulatedNoPermission(t *testing.T) {
	requireEmulator(t)
	dir := buildTools(t)
	out, err := underEmulator(t, dir, []string{"--node-mode", "0000", "--device", "compacf", "--device", "compac"}, true, "devices")
	if err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatal(err)
		}
		t.Fatalf("soloist devices: %v\n%s", err, out)
	}
	for _, want := range []string{
		"no permission",
		`SUBSYSTEM=="usb", ATTRS{idVendor}=="0403", ATTRS{idProduct}=="6015"`,
		`SUBSYSTEM=="usb", ATTRS{idVendor}=="10c4", ATTRS{idProduct}=="ea60"`,
		"/etc/udev/rules.d/60-soloist.rules",
		"udevadm control --reload-rules && sudo udevadm trigger",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The same as JSON, for scripts.
	out, err = underEmulator(t, dir, []string{"--node-mode", "0000", "--device", "compacf"}, true, "devices", "--json")
	if err != nil {
		t.Fatalf("soloist devices --json: %v\n%s", err, out)
	}
	var got devicesOutput
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if got.USB != "ok" || len(got.Devices) != 1 {
		t.Fatalf("got %+v", got)
	}
	if d := got.Devices[0]; d.At != "001/002" || d.ID != "0403:6015" || d.State != "no permission" || len(d.Advice) == 0 {
		t.Errorf("device %+v", d)
	}
}
