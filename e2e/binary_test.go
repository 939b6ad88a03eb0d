package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/internal/btcdtest"
)

// acceptedLine matches the headless log line of a block the node accepted.
var acceptedLine = regexp.MustCompile(`msg="block submitted".*\bhash=([0-9a-f]{64}).*\boutcome=accepted\b`)

// TestSoloistBinary builds soloist and runs it headless against btcd regtest, as a user
// would, until it logs an accepted block; then it checks that block through the node and
// that SIGINT makes soloist exit cleanly.
func TestSoloistBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "soloist")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = ".." // the module root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build soloist: %v\n%s", err, out)
	}

	n := btcdtest.Start(t, btcdtest.Options{Net: "regtest"})
	addr := testAddress(t, "p2wpkh", n.Params)
	cmd := exec.Command(bin, "--node", n.URL(), "--rpc-user", n.User, "--rpc-pass", n.Pass,
		"--network", "regtest", "--address", addr.EncodeAddress(),
		"--headless", "--cpu", "1", "--data-dir", filepath.Join(dir, "data"))
	accepted := make(chan string, 1) // the first accepted block's hash
	var out strings.Builder          // everything soloist printed, for failures
	var outMu sync.Mutex
	var readers sync.WaitGroup
	scan := func(r io.Reader) {
		defer readers.Done()
		s := bufio.NewScanner(r)
		s.Buffer(make([]byte, 0, 64*1024), 1024*1024)
		for s.Scan() {
			outMu.Lock()
			out.WriteString(s.Text() + "\n")
			outMu.Unlock()
			if m := acceptedLine.FindStringSubmatch(s.Text()); m != nil {
				select {
				case accepted <- m[1]:
				default: // the test only needs the first
				}
			}
		}
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start soloist: %v", err)
	}
	readers.Add(2)
	go scan(stdout)
	go scan(stderr)
	exited := make(chan error, 1)
	go func() {
		readers.Wait() // pipes must be drained before Wait
		exited <- cmd.Wait()
	}()
	printed := func() string {
		outMu.Lock()
		defer outMu.Unlock()
		return tail(out.String(), 40)
	}
	defer cmd.Process.Kill() // in case the test fails before soloist exits

	var hash chainhash.Hash
	deadline := time.After(90 * time.Second)
wait:
	for {
		select {
		case s := <-accepted:
			h, err := chainhash.NewHashFromStr(s)
			if err != nil {
				t.Fatalf("bad hash %q in an accepted-block line: %v", s, err)
			}
			hash = *h
			break wait
		case err := <-exited:
			t.Fatalf("soloist exited (%v) before logging an accepted block; it printed:\n%s", err, printed())
		case <-deadline:
			t.Fatalf("soloist logged no accepted block within 90 s; it printed:\n%s", printed())
		}
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("interrupt soloist: %v", err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("soloist exited with %v after SIGINT, want status 0; it printed:\n%s", err, printed())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("soloist still running 30 s after SIGINT; it printed:\n%s", printed())
	}

	blk := n.Block(t, hash)
	checkPaysWhole(t, n, blk, scriptOf(t, addr))
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
