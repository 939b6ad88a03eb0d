package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMiningWithAnEmulatedStick runs the whole path a stick owner uses:
// soloist --demo --cpu 0 with an emulated Compac F on the real libusb path
// (umockdev), chips played by chipsim. Blocks the stick finds must be
// submitted and accepted by the demo node. Silicon reports nothing below
// difficulty 1, so the simulator and the driver use the test-only share
// difficulty knob.
func TestMiningWithAnEmulatedStick(t *testing.T) {
	emu := requireEmulator(t)
	dir := buildTools(t)
	spec := "compacf,serial=GSF0001,model=exec:'" + filepath.Join(dir, "chipsim") +
		"' --family bm1397 --share-diff 1/4096 --hash-rate 300000"
	cmd := exec.Command("/usr/bin/python3", emu, "--device", spec, "--",
		filepath.Join(dir, "soloist"), "--demo", "--cpu", "0", "--headless", "--data-dir", filepath.Join(dir, "data"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, envSimShareDiff+"=0.000244140625")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()

	found := regexp.MustCompile(`msg="block found".* hash=([0-9a-f]{64}) device=compacf-GSF0001`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log strings.Builder
	byStick := map[string]bool{}
	deadline := time.After(2 * time.Minute)
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("soloist stopped before a stick's block was accepted:\n%s", log.String())
			}
			log.WriteString(l + "\n")
			if m := found.FindStringSubmatch(l); m != nil {
				byStick[m[1]] = true
			}
			if strings.Contains(l, `msg="block submitted"`) && strings.Contains(l, "outcome=accepted") {
				for h := range byStick {
					if strings.Contains(l, "hash="+h) {
						return // a block the stick found, accepted by the node
					}
				}
			}
		case <-deadline:
			t.Fatalf("no block from the emulated stick accepted in 2 minutes:\n%s", log.String())
		}
	}
}
