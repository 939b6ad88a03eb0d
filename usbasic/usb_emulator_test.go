//go:build cgo

package usbasic

// Tests of the real gousb/libusb path against sticks emulated by
// ../shared/usb-emulator/usbstick_emu.py (umockdev).
//
// Each TestUSB… test re-runs this test binary, restricted to itself, under
// the emulator with the sticks it needs (emulate): the rest of the
// package's tests never run under umockdev's preload, and each USB test
// gets a fresh bus. The chip behind a stick is the project's chipsim
// program (built once per run) or, for transport-only tests, this binary
// again in a model role chosen by $SOLOIST_TEST_MODEL (see init).
//
// These tests fail when the emulator cannot start. For local runs on a
// machine without umockdev, SOLOIST_SKIP_USB_EMULATOR=1 skips them.
// SOLOIST_USB_EMULATOR overrides the emulator's path (the script, or the
// folder holding it).

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/miner"
)

const (
	envSkipEmulator = "SOLOIST_SKIP_USB_EMULATOR"
	envEmulatorPath = "SOLOIST_USB_EMULATOR"
	envTestModel    = "SOLOIST_TEST_MODEL" // model role of this binary
	envTestDir      = "SOLOIST_TEST_DIR"   // where models log side-channel events
)

// init turns this binary into a chip model when the emulator starts it as
// one (USBSTICK_CONTROL_FD is set only for exec: models).
func init() {
	if os.Getenv("USBSTICK_CONTROL_FD") == "" || os.Getenv(envTestModel) == "" {
		return
	}
	os.Exit(runTestModel(os.Getenv(envTestModel)))
}

// runTestModel plays a tiny chip on stdin/stdout: "echo" returns every
// byte; "icarus" answers the Icarus golden work with the golden nonce. Both
// append each side-channel event to $SOLOIST_TEST_DIR/events-N.
func runTestModel(kind string) int {
	fd, err := strconv.Atoi(os.Getenv("USBSTICK_CONTROL_FD"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "test model: bad USBSTICK_CONTROL_FD")
		return 1
	}
	control := os.NewFile(uintptr(fd), "control")
	var log io.Writer = io.Discard
	if dir := os.Getenv(envTestDir); dir != "" {
		f, err := os.OpenFile(filepath.Join(dir, "events-"+os.Getenv("USBSTICK_INDEX")), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666)
		if err != nil {
			fmt.Fprintln(os.Stderr, "test model:", err)
			return 1
		}
		defer f.Close()
		log = f
	}
	go func() {
		sc := bufio.NewScanner(control)
		for sc.Scan() {
			// "OFFSET EVENT ARG...": keep the event.
			_, ev, _ := strings.Cut(sc.Text(), " ")
			fmt.Fprintln(log, ev)
		}
	}()
	switch kind {
	case "echo":
		io.Copy(os.Stdout, os.Stdin)
	case "icarus":
		work := make([]byte, 64)
		for {
			if _, err := io.ReadFull(os.Stdin, work); err != nil {
				break
			}
			if bytes.Equal(work, icarusGoldenWork) {
				os.Stdout.Write([]byte{0x00, 0x01, 0x87, 0xA2})
			}
		}
	default:
		fmt.Fprintf(os.Stderr, "test model: unknown kind %q\n", kind)
		return 1
	}
	time.Sleep(100 * time.Millisecond) // let the event reader finish its lines
	return 0
}

// icarusGoldenWork is cgminer's detection work (block 171874), answered by
// nonce 00 01 87 a2 (protocol document §7.4).
var icarusGoldenWork = mustHex("4679ba4ec99876bf4bfe086082b400254df6c356451471139a3afa71e48f544a" +
	"0000000000000000000000000000000000000000" + "87320b1a1426674f2fa722ce")

func mustHex(s string) []byte {
	b := make([]byte, len(s)/2)
	for i := range b {
		v, err := strconv.ParseUint(s[2*i:2*i+2], 16, 8)
		if err != nil {
			panic(err)
		}
		b[i] = byte(v)
	}
	return b
}

// testIcarusProbe is the probe the discovery tests use: the golden work
// must come back as the golden nonce within 300 ms.
func testIcarusProbe(ctx context.Context, port Port, m Model) error {
	if m.Family != FamilyIcarus {
		return fmt.Errorf("no probe for %v", m.Family)
	}
	if _, err := port.Write(icarusGoldenWork); err != nil {
		return err
	}
	var got []byte
	buf := make([]byte, 64)
	deadline := time.Now().Add(300 * time.Millisecond)
	for len(got) < 4 && time.Now().Before(deadline) {
		n, err := port.Read(buf, time.Until(deadline))
		if err != nil {
			return err
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, []byte{0x00, 0x01, 0x87, 0xA2}) {
		return fmt.Errorf("golden nonce: got % x", got)
	}
	return nil
}

// --- running a test under the emulator ---

var emulator struct {
	once sync.Once
	path string
	err  error
}

// emulatorPath finds usbstick_emu.py ($SOLOIST_USB_EMULATOR, else
// shared/usb-emulator/ in this directory or one above it) and checks that
// it can run here.
func emulatorPath() (string, error) {
	emulator.once.Do(func() {
		path := os.Getenv(envEmulatorPath)
		if path == "" {
			dir, _ := os.Getwd()
			for ; ; dir = filepath.Dir(dir) {
				p := filepath.Join(dir, "shared", "usb-emulator", "usbstick_emu.py")
				if _, err := os.Stat(p); err == nil {
					path = p
					break
				}
				if filepath.Dir(dir) == dir {
					emulator.err = fmt.Errorf("usbstick_emu.py not found in shared/usb-emulator/ above the package (set %s)", envEmulatorPath)
					return
				}
			}
		} else if st, err := os.Stat(path); err == nil && st.IsDir() {
			path = filepath.Join(path, "usbstick_emu.py")
		}
		out, err := exec.Command("/usr/bin/python3", path, "--check").CombinedOutput()
		if err != nil {
			emulator.err = fmt.Errorf("%s --check: %v: %s (run ../shared/usb-emulator/setup.sh)", path, err, strings.TrimSpace(string(out)))
			return
		}
		emulator.path = path
	})
	return emulator.path, emulator.err
}

// requireEmulator fails the test when the emulator cannot run, or skips it
// when SOLOIST_SKIP_USB_EMULATOR=1.
func requireEmulator(t *testing.T) string {
	t.Helper()
	if os.Getenv(envSkipEmulator) == "1" {
		t.Skipf("%s=1: USB emulator tests skipped", envSkipEmulator)
	}
	path, err := emulatorPath()
	if err != nil {
		t.Fatalf("USB emulator cannot run (%s=1 skips these tests locally): %v", envSkipEmulator, err)
	}
	return path
}

// emuOptions are the emulator's devices and options for one test.
type emuOptions struct {
	devices []string // --device SPECs
	args    []string // other emulator options
	nobody  bool     // run as uid 65534 (root ignores file modes)
}

// emulate runs the calling test inside the emulator. In the child it
// returns true and the test goes on against the emulated sticks. In the
// parent it re-runs the test binary restricted to this test under the
// emulator, reports the child's output and result, and returns false.
func emulate(t *testing.T, opt emuOptions) bool {
	t.Helper()
	if os.Getenv("USBSTICK_EMULATOR_SOCKET") != "" {
		return true
	}
	emu := requireEmulator(t)
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := worldDir(t)
	if opt.nobody {
		// The binary must be readable by uid 65534.
		cp := filepath.Join(dir, filepath.Base(bin))
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cp, data, 0o755); err != nil {
			t.Fatal(err)
		}
		bin = cp
	}
	args := []string{"/usr/bin/python3", emu}
	for _, d := range opt.devices {
		args = append(args, "--device", strings.ReplaceAll(d, "$TESTBIN", "'"+bin+"'"))
	}
	args = append(args, opt.args...)
	args = append(args, "--", bin, "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1")
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	if opt.nobody && os.Getuid() == 0 {
		args = append([]string{"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"}, args...)
	}
	ctx := context.Background()
	if dl, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, dl.Add(-5*time.Second))
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), envTestDir+"="+dir, "HOME="+dir)
	cmd.WaitDelay = time.Second // models that outlive the emulator must not hold the test
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("under the emulator: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("\nPASS")) && !bytes.HasPrefix(out, []byte("PASS")) {
		t.Fatalf("under the emulator the test did not pass:\n%s", out)
	}
	if testing.Verbose() {
		t.Logf("under the emulator:\n%s", out)
	}
	return false
}

// worldDir is a temporary directory every user may write (for the models
// and for a test run as nobody), removed at the end of the test.
func worldDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "soloist-usb-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	return dir
}

// testModel is the exec: model SPEC for this binary in a model role.
func testModel(kind string) string {
	return "exec:env " + envTestModel + "=" + kind + " $TESTBIN"
}

// events returns the side-channel events stick index has logged so far.
func events(t *testing.T, index int) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(os.Getenv(envTestDir), "events-"+strconv.Itoa(index)))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return strings.Fields(strings.ReplaceAll(strings.TrimSpace(string(data)), " ", "_"))
}

// waitEvents waits until stick index has logged want (in order, as the
// last events) or fails.
func waitEvents(t *testing.T, index int, want []string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		got = events(t, index)
		if len(got) >= len(want) && strings.Join(got[len(got)-len(want):], " ") == strings.Join(want, " ") {
			return
		}
	}
	t.Fatalf("stick %d events:\n got  %v\n want (at the end) %v", index, got, want)
}

// emuCommand sends one command on the emulator's control socket.
func emuCommand(t *testing.T, command string) string {
	t.Helper()
	c, err := net.Dial("unix", os.Getenv("USBSTICK_EMULATOR_SOCKET"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintln(c, command)
	reply, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatalf("%s: %v", command, err)
	}
	reply = strings.TrimSpace(reply)
	if !strings.HasPrefix(reply, "ok") {
		t.Fatalf("%s: %s", command, reply)
	}
	return reply
}

func openTestBus(t *testing.T) *Bus {
	t.Helper()
	b, err := OpenBus(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func scanByLocation(t *testing.T, b *Bus, opt ScanOptions) map[string]Device {
	t.Helper()
	devs, err := b.Scan(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]Device)
	for _, d := range devs {
		m[d.Location()] = d
	}
	return m
}

// --- the tests ---

func TestUSBDiscoveryByStrings(t *testing.T) {
	if !emulate(t, emuOptions{devices: []string{
		"compacf,serial=GSF0001",
		"newpac",
		"compac,serial=GSC0003",
		"2pac",
		"erupter,model=" + chipsimModel(t, "--family icarus"),
		"cp2102,model=" + testModel("echo"), // a plain USB-serial adapter
		"ft230x",                            // FTDI's own strings
		"cp2102,manufacturer=bitshopperde,product=2Pac BM1384 Bitcoin Miner,serial=BSD9",
		"ft230x,manufacturer=GekkoScience,product=Future Bitcoin Miner", // a GekkoScience stick soloist does not know
	}}) {
		return
	}
	b := openTestBus(t)
	got := scanByLocation(t, b, ScanOptions{Probe: SelftestProbe})
	tests := []struct {
		at, model, serial string
		probed            bool
		err               error
	}{
		{"001/002", "compacf", "GSF0001", false, nil},
		{"001/003", "newpac", "FT000002", false, nil},
		{"001/004", "compac", "GSC0003", false, nil},
		{"001/005", "2pac", "0004", false, nil},
		{"001/006", "erupter", "0005", true, nil},
		{"001/007", "", "0006", false, ErrNotMiner},
		{"001/008", "", "FT000007", false, ErrNotMiner},
		{"001/009", "2pac", "BSD9", false, nil},
		{"001/010", "", "FT000009", false, ErrNotMiner},
	}
	if len(got) != len(tests) {
		t.Errorf("found %d devices, want %d: %v", len(got), len(tests), got)
	}
	for _, tt := range tests {
		d, ok := got[tt.at]
		if !ok {
			t.Errorf("%s: not found", tt.at)
			continue
		}
		if d.Model.Name != tt.model || d.Serial != tt.serial || d.Probed != tt.probed || !errors.Is(d.Err, tt.err) {
			t.Errorf("%s: model %q serial %q probed %v err %v; want %q %q %v %v",
				tt.at, d.Model.Name, d.Serial, d.Probed, d.Err, tt.model, tt.serial, tt.probed, tt.err)
		}
	}
	// Without a probe, the erupter's generic strings are not enough.
	plain := scanByLocation(t, b, ScanOptions{})
	if d := plain["001/006"]; d.Model.Name != "" || !errors.Is(d.Err, ErrNotMiner) {
		t.Errorf("unprobed erupter: model %q err %v", d.Model.Name, d.Err)
	}
}

func TestUSBBridgeSetup(t *testing.T) {
	echo := testModel("echo")
	if !emulate(t, emuOptions{devices: []string{
		"compacf,model=" + echo, "newpac,model=" + echo, "compac,model=" + echo, "erupter,model=" + echo,
	}}) {
		return
	}
	ftdi := []string{"reset", "line_8_N_1", "baud_115385", "flow_none", "purge_tx", "purge_rx",
		"bitmode_0x20_0xf2", "bitmode_0x20_0xf0", "bitmode_0x20_0xf2"}
	tests := []struct {
		index    int
		model    string
		setup    []string
		baud     int
		baudEv   string
		purge    []string
		resetErr error
	}{
		{0, "compacf", ftdi, 1500000, "baud_1500000", []string{"purge_tx", "purge_rx"}, nil},
		{1, "newpac", ftdi, 214285, "baud_214286", []string{"purge_tx", "purge_rx"}, nil},
		{2, "compac", []string{"enable_1", "modem_dtr=1_rts=1", "baud_115200", "line_8_M_1"}, 230400, "baud_230400", []string{"purge"}, ErrNotSupported},
		{3, "erupter", []string{"enable_1", "modem_dtr=1_rts=1", "baud_115200"}, 115200, "baud_115200", []string{"purge"}, ErrNotSupported},
	}
	b := openTestBus(t)
	for _, tt := range tests {
		m, _ := LookupModel(tt.model)
		d := Device{Bus: 1, Address: 2 + tt.index, Model: m}
		start := time.Now()
		port, err := b.Open(context.Background(), d)
		if err != nil {
			t.Fatalf("%s: %v", tt.model, err)
		}
		if took := time.Since(start); took < m.ResetHold {
			t.Errorf("%s: set-up took %v, less than the reset hold %v", tt.model, took, m.ResetHold)
		}
		waitEvents(t, tt.index, tt.setup)
		if got := events(t, tt.index); len(got) != len(tt.setup) {
			t.Errorf("%s: set-up sent more than the table: %v", tt.model, got)
		}
		if err := port.SetBaud(tt.baud); err != nil {
			t.Fatal(err)
		}
		waitEvents(t, tt.index, []string{tt.baudEv})
		if err := port.Purge(); err != nil {
			t.Fatal(err)
		}
		waitEvents(t, tt.index, tt.purge)
		err = port.ResetChips(30 * time.Millisecond)
		if !errors.Is(err, tt.resetErr) {
			t.Errorf("%s: ResetChips: %v, want %v", tt.model, err, tt.resetErr)
		}
		if err == nil {
			waitEvents(t, tt.index, ftdi)
		}
		if err := port.Close(); err != nil {
			t.Errorf("%s: close: %v", tt.model, err)
		}
	}
}

func TestUSBBulkTraffic(t *testing.T) {
	echo := testModel("echo")
	if !emulate(t, emuOptions{devices: []string{"newpac,model=" + echo, "erupter,model=" + echo}}) {
		return
	}
	b := openTestBus(t)
	for i, name := range []string{"newpac", "erupter"} {
		m, _ := LookupModel(name)
		port, err := b.Open(context.Background(), Device{Bus: 1, Address: 2 + i, Model: m})
		if err != nil {
			t.Fatal(err)
		}
		// Idle: a read times out with nothing (FTDI sends status-only
		// packets, the CP2102 NAKs), and no status byte leaks through.
		buf := make([]byte, 16)
		start := time.Now()
		if n, err := port.Read(buf, 80*time.Millisecond); n != 0 || err != nil {
			t.Errorf("%s idle read: %d % x %v", name, n, buf[:n], err)
		}
		if took := time.Since(start); took < 80*time.Millisecond || took > 10*time.Second {
			t.Errorf("%s idle read took %v", name, took)
		}
		// 300 bytes span several FTDI packets, each with its own status bytes.
		msg := make([]byte, 300)
		for j := range msg {
			msg[j] = byte(j*7 + 1)
		}
		if n, err := port.Write(msg); n != len(msg) || err != nil {
			t.Fatalf("%s write: %d %v", name, n, err)
		}
		var got []byte
		for deadline := time.Now().Add(10 * time.Second); len(got) < len(msg) && time.Now().Before(deadline); {
			n, err := port.Read(buf, 200*time.Millisecond) // small buffer: the rest waits in the port
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, buf[:n]...)
		}
		if !bytes.Equal(got, msg) {
			t.Errorf("%s echo: got %d bytes % x…, want %d", name, len(got), got[:min(len(got), 16)], len(msg))
		}
		port.Close()
	}
}

func TestUSBUnplugReplug(t *testing.T) {
	echo := testModel("echo")
	if !emulate(t, emuOptions{devices: []string{"compacf,serial=GSF0001,model=" + echo, "compac,serial=GSC0002,model=" + echo}}) {
		return
	}
	b := openTestBus(t)
	m, _ := LookupModel("compac")
	port, err := b.Open(context.Background(), Device{Bus: 1, Address: 3, Model: m})
	if err != nil {
		t.Fatal(err)
	}
	defer port.Close()
	emuCommand(t, "unplug 1")
	buf := make([]byte, 64)
	var rerr error
	for deadline := time.Now().Add(10 * time.Second); rerr == nil && time.Now().Before(deadline); {
		_, rerr = port.Read(buf, 100*time.Millisecond)
	}
	if !errors.Is(rerr, ErrLost) {
		t.Fatalf("read after unplug: %v, want ErrLost", rerr)
	}
	if _, err := port.Write([]byte{1, 2, 3}); !errors.Is(err, ErrLost) {
		t.Errorf("write after unplug: %v, want ErrLost", err)
	}
	reply := emuCommand(t, "replug 1")
	var index int
	var at string
	fmt.Sscanf(reply, "ok %d %s", &index, &at)
	var found Device
	for deadline := time.Now().Add(10 * time.Second); found.Serial == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		for _, d := range scanByLocation(t, b, ScanOptions{}) {
			if d.Serial == "GSC0002" {
				found = d
			}
		}
	}
	if found.Location() != at || found.Model.Name != "compac" {
		t.Fatalf("replugged stick: %+v, want compac at %s", found, at)
	}
	p2, err := b.Open(context.Background(), found)
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if _, err := p2.Write([]byte{9, 8, 7}); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for deadline := time.Now().Add(10 * time.Second); len(got) < 3 && time.Now().Before(deadline); {
		n, err := p2.Read(buf, 100*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if !bytes.Equal(got, []byte{9, 8, 7}) {
		t.Fatalf("replugged echo: % x", got)
	}
}

func TestUSBNoPermission(t *testing.T) {
	if !emulate(t, emuOptions{devices: []string{"compacf", "erupter"}, args: []string{"--node-mode", "0000"}, nobody: true}) {
		return
	}
	b := openTestBus(t)
	devs, err := b.Scan(context.Background(), ScanOptions{Probe: testIcarusProbe})
	if err != nil {
		t.Fatal(err)
	}
	if len(devs) != 2 {
		t.Fatalf("found %d devices, want 2: %v", len(devs), devs)
	}
	for _, d := range devs {
		if !errors.Is(d.Err, ErrNoPermission) {
			t.Errorf("%s: err %v, want ErrNoPermission", d.Location(), d.Err)
			continue
		}
		advice := strings.Join(Explain(d.Err, d), "\n")
		for _, want := range []string{UdevRulesPath, UdevRule(d.VID, d.PID), UdevReload, fmt.Sprintf(`ATTRS{idVendor}=="%04x"`, d.VID)} {
			if !strings.Contains(advice, want) {
				t.Errorf("%s: advice lacks %q:\n%s", d.Location(), want, advice)
			}
		}
	}
}

// --- the whole path: Manager, Stick drivers, chipsim behind the emulator ---

var chipsimBuild struct {
	once sync.Once
	path string
	err  error
}

// chipsimModel is the exec: model SPEC for the chipsim program, built once
// per test binary (in the parent: never run go under the emulator) into a
// directory every user can read. The child finds it through
// $SOLOIST_TEST_CHIPSIM.
func chipsimModel(t *testing.T, args string) string {
	t.Helper()
	if p := os.Getenv("SOLOIST_TEST_CHIPSIM"); p != "" {
		return "exec:'" + p + "' " + args
	}
	chipsimBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "soloist-chipsim-")
		if err != nil {
			chipsimBuild.err = err
			return
		}
		os.Chmod(dir, 0o755)
		p := filepath.Join(dir, "chipsim")
		out, err := exec.Command("go", "build", "-o", p, "./chipsim/cmd/chipsim").CombinedOutput()
		if err != nil {
			chipsimBuild.err = fmt.Errorf("go build ./chipsim/cmd/chipsim: %v\n%s", err, out)
			return
		}
		chipsimBuild.path = p
	})
	if chipsimBuild.err != nil {
		t.Fatal(chipsimBuild.err)
	}
	os.Setenv("SOLOIST_TEST_CHIPSIM", chipsimBuild.path) // inherited by the child
	return "exec:'" + chipsimBuild.path + "' " + args
}

// simShareDiff is the difficulty the emulated chips report down to: with
// chipsim's default 1 MH/s, about 15 nonces a second.
const simShareDiff = 1.0 / 65536

func testJob(t *testing.T) *miner.Job {
	t.Helper()
	tmpl := &miner.Template{Version: 0x20000000, Height: 1, Bits: 0x207fffff, CurTime: time.Now().Unix(),
		CoinbaseValue: 50e8}
	j, err := miner.NewJob(tmpl, miner.JobOptions{ID: 1, Payout: []byte{0x51}, Tag: []byte("/usbtest/"),
		Clean: true, Now: time.Now(), MinShareDifficulty: simShareDiff})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestUSBManagerHotplug(t *testing.T) {
	share := fmt.Sprintf(" --share-diff 1/%d", int(1/simShareDiff))
	if !emulate(t, emuOptions{devices: []string{
		"compacf,serial=GSF0001,model=" + chipsimModel(t, "--family bm1397"+share),
		"compac,serial=GSC0002,model=" + chipsimModel(t, "--family bm1384"+share),
		"erupter,model=" + chipsimModel(t, "--family icarus"+share),
		"cp2102,model=echo",
	}}) {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m, err := Open(ctx, Config{SimShareDiff: simShareDiff, PollInterval: 100 * time.Millisecond,
		Freq: map[string]float64{"GSF0001": 300}})
	if err != nil {
		t.Fatal(err)
	}
	hs := m.Hashers()
	var got []string
	for _, h := range hs {
		got = append(got, h.Name())
	}
	if strings.Join(got, " ") != "compacf-GSF0001 compac-GSC0002 erupter-0003" {
		t.Fatalf("hashers %v (devices %v)", got, m.Devices())
	}
	sols, wait := runHashers(ctx, t, hs, 1024)
	defer func() {
		cancel()
		wait()
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	// sharesFrom waits until each named hasher has sent a valid solution.
	sharesFrom := func(what string, names ...string) {
		t.Helper()
		want := make(map[string]bool)
		for _, n := range names {
			want[n] = true
		}
		deadline := time.After(60 * time.Second)
		for len(want) > 0 {
			select {
			case s := <-sols:
				header := s.Work.HeaderFor(s.Nonce, s.Version, s.NTime)
				hash := chainhash.DoubleHashH(header[:])
				if !miner.MeetsTarget(&hash, &s.Target) {
					t.Fatalf("%s sent a nonce that does not meet its target: %s", s.Source, hash)
				}
				delete(want, s.Source)
			case <-deadline:
				var st []string
				for _, h := range hs {
					st = append(st, fmt.Sprintf("%s %v %q", h.Name(), h.Status().State, h.Status().Err))
				}
				t.Fatalf("%s: no solution from %v; %v", what, want, st)
			}
		}
	}
	sharesFrom("start", "compacf-GSF0001", "compac-GSC0002", "erupter-0003")

	if st := hs[0].Status(); st.FrequencyMHz != 300 || st.State != miner.DeviceRunning {
		t.Errorf("compacf: %v at %v MHz, want running at 300 (--usb-freq GSF0001=300)", st.State, st.FrequencyMHz)
	}

	// Unplug the Compac F mid-job: it is lost, the others go on.
	emuCommand(t, "unplug 0")
	waitState(t, hs[0], miner.DeviceLost)
	lostAt := hs[0].Status().Hashes
	for len(sols) > 0 {
		<-sols
	}
	sharesFrom("with the Compac F unplugged", "compac-GSC0002", "erupter-0003")
	if st := hs[1].Status(); st.State != miner.DeviceRunning {
		t.Errorf("compac %v while the Compac F is unplugged", st.State)
	}

	// Plug it in again: the same Hasher resumes.
	emuCommand(t, "replug 0")
	waitState(t, hs[0], miner.DeviceRunning)
	sharesFrom("after replug", "compacf-GSF0001")
	if st := hs[0].Status(); st.Hashes <= lostAt || st.FrequencyMHz != 300 {
		t.Errorf("after replug: %d hashes (had %d when lost) at %v MHz", st.Hashes, lostAt, st.FrequencyMHz)
	}
	if len(m.Hashers()) != 3 {
		t.Errorf("replug added a hasher: %d", len(m.Hashers()))
	}

	// A new stick is announced on Added.
	emuCommand(t, "plug newpac,serial=GSH0009,model="+chipsimModel(t, "--family bm1387"+share))
	select {
	case h := <-m.Added():
		if h.Name() != "newpac-GSH0009" {
			t.Errorf("added %s", h.Name())
		}
	case <-time.After(60 * time.Second):
		t.Fatal("new stick not announced")
	}
}

// runHashers runs every hasher on one feed carrying testJob, with solutions
// on a channel of capacity buf; wait returns once all Runs have (cancel ctx
// first).
func runHashers(ctx context.Context, t *testing.T, hs []miner.Hasher, buf int) (sols chan miner.Solution, wait func()) {
	feed := miner.NewFeed()
	feed.Publish(testJob(t))
	sols = make(chan miner.Solution, buf)
	var wg sync.WaitGroup
	for _, h := range hs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.Run(ctx, feed, sols); err != nil {
				t.Errorf("%s: Run: %v", h.Name(), err)
			}
		}()
	}
	return sols, wg.Wait
}

func waitState(t *testing.T, h miner.Hasher, want miner.DeviceState) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if h.Status().State == want {
			return
		}
	}
	t.Fatalf("%s: state %v (%q), want %v", h.Name(), h.Status().State, h.Status().Err, want)
}

// A kernel driver holding the interface gives EBUSY, which the doctor
// explains; soloist's own ports detach it and give it back on Close. (The
// emulator does not model a second process claiming the interface, which
// ends in the same EBUSY.)
func TestUSBBusyKernelDriver(t *testing.T) {
	if !emulate(t, emuOptions{devices: []string{"compac,model=" + testModel("echo")}}) {
		return
	}
	claim := func() error { return claimWithoutDetach(t, 0x10c4, 0xea60) }
	err := claim()
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("claim with the kernel driver bound: %v, want ErrBusy", err)
	}
	d := Device{Bus: 1, Address: 2, VID: 0x10c4, PID: 0xea60}
	if advice := strings.Join(Explain(err, d), "\n"); !strings.Contains(advice, "001/002") || !strings.Contains(advice, "brltty") {
		t.Errorf("advice: %s", advice)
	}
	b := openTestBus(t)
	d.Model, _ = LookupModel("compac")
	port, err := b.Open(context.Background(), d)
	if err != nil {
		t.Fatalf("open with auto-detach: %v", err)
	}
	if err := port.Close(); err != nil {
		t.Fatal(err)
	}
	if err := claim(); !errors.Is(err, ErrBusy) {
		t.Errorf("after Close the kernel driver is not back: %v", err)
	}
}

// A stick whose chips stop answering is reset by its driver and, failing
// that, dropped with a message while the others go on; replugging it
// brings it back.
func TestUSBSilentStickDroppedThenReplugged(t *testing.T) {
	share := fmt.Sprintf(" --share-diff 1/%d", int(1/simShareDiff))
	if !emulate(t, emuOptions{devices: []string{
		"compac,serial=GSC0001,model=" + chipsimModel(t, "--family bm1384 --silent-after-jobs 60"+share),
		"2pac,serial=GSD0002,model=" + chipsimModel(t, "--family bm1384"+share),
	}}) {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	m, err := Open(ctx, Config{SimShareDiff: simShareDiff, PollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hs := m.Hashers()
	if len(hs) != 2 {
		t.Fatalf("hashers %v", m.Devices())
	}
	sols, wait := runHashers(ctx, t, hs, 4096)
	defer func() {
		cancel()
		wait()
		m.Close()
	}()
	waitState(t, hs[0], miner.DeviceFailed)
	if st := hs[0].Status(); !strings.Contains(st.Err, "answer") {
		t.Errorf("failed stick's message: %q", st.Err)
	}
	if st := hs[1].Status(); st.State != miner.DeviceRunning {
		t.Errorf("the other stick: %v %q", st.State, st.Err)
	}
	emuCommand(t, "unplug 0")
	waitState(t, hs[0], miner.DeviceLost)
	for len(sols) > 0 {
		<-sols // shares from before the failure
	}
	emuCommand(t, "replug 0")
	deadline := time.After(60 * time.Second)
	for {
		select {
		case s := <-sols:
			if s.Source == hs[0].Name() {
				return
			}
		case <-deadline:
			t.Fatalf("no share from the replugged stick: %v %q", hs[0].Status().State, hs[0].Status().Err)
		}
	}
}
