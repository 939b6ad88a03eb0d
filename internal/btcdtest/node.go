package btcdtest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Options selects the network and the coinbase payee of a node started by Start.
type Options struct {
	// Net is "regtest" (the default when empty) or "simnet".
	Net string
	// MiningAddr is the address btcd's generate pays. Empty means the P2WPKH address of the
	// harness key (see Node.HarnessAddress), which SendSegwitTxs needs.
	MiningAddr string
}

// Node is one btcd process started by Start, with its RPC endpoint and credentials.
type Node struct {
	// Host is the RPC listen address, "127.0.0.1:port".
	Host string
	// User and Pass are the generated RPC credentials.
	User, Pass string
	// Params are the chain parameters of Net.
	Params *chaincfg.Params
	// Net is "regtest" or "simnet".
	Net string

	bin        string
	dir        string // everything of this node lives below dir
	logFile    string // btcd's stdout and stderr, appended across restarts
	p2pHost    string
	miningAddr string
	http       *http.Client

	procMu sync.Mutex
	proc   *process // nil while stopped

	walletMu  sync.Mutex
	nextScan  int64 // lowest block height whose coinbase SendSegwitTxs has not looked at
	spendable []coin
}

// process is one run of the btcd binary.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // exit status, valid after done is closed
}

const (
	readyTimeout = 60 * time.Second // until RPC answers after the process starts
	stopTimeout  = 60 * time.Second // until the process exits after SIGINT
	tailLines    = 60               // log lines printed when a test fails
)

// errPortInUse means btcd could not bind one of the ports picked for it.
var errPortInUse = errors.New("btcdtest: port already in use")

// Start starts a fresh btcd for the test and waits until its RPC server answers. The node
// gets a new data directory under t.TempDir(), free loopback ports for RPC and P2P, TLS off,
// generated credentials and --miningaddr; it is stopped in t.Cleanup, and if the test failed
// the tail of its log is printed. A missing btcd binary fails the test with the command that
// installs it.
func Start(t testing.TB, opt Options) *Node {
	t.Helper()
	bin, err := findBtcd()
	if err != nil {
		t.Fatal(err.Error())
	}
	if opt.Net == "" {
		opt.Net = "regtest"
	}
	var params *chaincfg.Params
	switch opt.Net {
	case "regtest":
		params = &chaincfg.RegressionNetParams
	case "simnet":
		params = &chaincfg.SimNetParams
	default:
		t.Fatalf("btcdtest: network %q is not supported: use regtest or simnet", opt.Net)
	}
	n := &Node{
		User:       "u" + randomHex(8),
		Pass:       randomHex(16),
		Params:     params,
		Net:        opt.Net,
		bin:        bin,
		dir:        t.TempDir(),
		miningAddr: opt.MiningAddr,
		http:       &http.Client{},
		nextScan:   1,
	}
	n.logFile = filepath.Join(n.dir, "btcd.log")
	if n.miningAddr == "" {
		n.miningAddr = n.HarnessAddress().EncodeAddress()
	}
	if err := os.WriteFile(filepath.Join(n.dir, "btcd.conf"), nil, 0o600); err != nil {
		t.Fatalf("btcdtest: write empty config: %v", err)
	}
	t.Cleanup(func() {
		if err := n.stop(); err != nil {
			t.Errorf("btcdtest: %v", err)
		}
		if t.Failed() {
			t.Logf("btcdtest: last lines of %s:\n%s", n.logFile, n.logTail())
		}
		n.http.CloseIdleConnections()
	})
	for attempt := 1; ; attempt++ {
		rpcPort, p2pPort, err := freePorts()
		if err != nil {
			t.Fatalf("btcdtest: %v", err)
		}
		n.Host = fmt.Sprintf("127.0.0.1:%d", rpcPort)
		n.p2pHost = fmt.Sprintf("127.0.0.1:%d", p2pPort)
		err = n.launch()
		if err == nil {
			return n
		}
		if !errors.Is(err, errPortInUse) || attempt == 3 {
			t.Fatalf("btcdtest: start btcd: %v\n%s", err, n.logTail())
		}
	}
}

// URL returns the node's RPC URL, "http://127.0.0.1:port".
func (n *Node) URL() string { return "http://" + n.Host }

// Stop stops the btcd process (SIGINT, then waits for it to exit) and keeps its data
// directory and ports for Restart. Stopping a stopped node does nothing.
//
// btcd wipes its regtest database on every start; see Restart for how the chain survives.
func (n *Node) Stop(t testing.TB) {
	t.Helper()
	if err := n.stop(); err != nil {
		t.Fatalf("btcdtest: %v", err)
	}
}

// Restart starts btcd again on the same data directory, ports and credentials, and waits
// until its RPC server answers. A running node is stopped first. The mempool does not
// survive a restart.
//
// btcd deletes its regtest database whenever it starts. On regtest Restart therefore reads
// every block the stopped node had stored (best chain and side chains, in the order it
// stored them) from the database's flat files, and submits them again once RPC answers, so
// the chain is back as it was at Stop. The node is reachable, and its tip moves, while
// those blocks are being submitted.
func (n *Node) Restart(t testing.TB) {
	t.Helper()
	if err := n.stop(); err != nil {
		t.Fatalf("btcdtest: %v", err)
	}
	var stored [][]byte
	if n.Net == "regtest" {
		var err error
		stored, err = readFlatFiles(filepath.Join(n.dir, "data", "regtest", "blocks_ffldb"), uint32(n.Params.Net))
		if err != nil {
			t.Fatalf("btcdtest: read the stopped node's blocks: %v", err)
		}
	}
	if err := n.launch(); err != nil {
		t.Fatalf("btcdtest: restart btcd: %v\n%s", err, n.logTail())
	}
	if err := n.replay(stored); err != nil {
		t.Fatalf("btcdtest: restore the regtest chain after restart: %v", err)
	}
}

// RestartEmpty stops btcd and starts it again on the same ports and credentials with an
// empty chain (genesis only), as btcd regtest itself does on every start. It models a
// node that lost blocks the miner had seen accepted. Regtest only.
func (n *Node) RestartEmpty(t testing.TB) {
	t.Helper()
	if n.Net != "regtest" {
		t.Fatalf("btcdtest: RestartEmpty needs regtest, not %s", n.Net)
	}
	if err := n.stop(); err != nil {
		t.Fatalf("btcdtest: %v", err)
	}
	if err := n.launch(); err != nil {
		t.Fatalf("btcdtest: restart btcd: %v\n%s", err, n.logTail())
	}
	n.walletMu.Lock()
	n.nextScan, n.spendable = 1, nil
	n.walletMu.Unlock()
}

// replay submits blocks, oldest first, skipping the genesis block.
func (n *Node) replay(blocks [][]byte) error {
	for i, blk := range blocks {
		if len(blk) < 80 || chainhash.DoubleHashH(blk[:80]) == *n.Params.GenesisHash {
			continue
		}
		raw, err := n.Call("submitblock", hex.EncodeToString(blk))
		if err != nil {
			return fmt.Errorf("submit stored block %d: %w", i, err)
		}
		// "already have block": someone else (a miner resubmitting) was first.
		if string(raw) != "null" && !strings.Contains(string(raw), "already have block") {
			return fmt.Errorf("submit stored block %d: node says %s", i, raw)
		}
	}
	return nil
}

// args returns btcd's command line.
func (n *Node) args() []string {
	return []string{
		"--" + n.Net,
		"--configfile=" + filepath.Join(n.dir, "btcd.conf"),
		"--datadir=" + filepath.Join(n.dir, "data"),
		"--logdir=" + filepath.Join(n.dir, "logs"),
		"--rpclisten=" + n.Host,
		"--listen=" + n.p2pHost,
		"--rpcuser=" + n.User,
		"--rpcpass=" + n.Pass,
		"--notls",
		"--nodnsseed",
		"--nocfilters",
		"--txindex",             // for PrevOut and Fees
		"--utxocachemaxsize=16", // MiB; the default 250 costs ~150 MB of RSS per node
		"--rpcmaxclients=100",
		"--miningaddr=" + n.miningAddr,
	}
}

// launch starts the btcd process and waits until RPC answers.
func (n *Node) launch() error {
	n.procMu.Lock()
	defer n.procMu.Unlock()
	if n.proc != nil {
		return errors.New("btcdtest: btcd is already running")
	}
	logf, err := os.OpenFile(n.logFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open log file: %w", err)
	}
	fmt.Fprintf(logf, "=== btcdtest: starting %s on %s\n", n.Net, n.Host)
	cmd := exec.Command(n.bin, n.args()...)
	cmd.Stdout = logf
	cmd.Stderr = logf
	cmd.SysProcAttr = sysProcAttr()
	p := &process{cmd: cmd, done: make(chan struct{})}
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that started the process exits,
		// so keep this goroutine on that thread until the process is gone.
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := cmd.Start()
		started <- err
		if err == nil {
			p.err = cmd.Wait()
		}
		logf.Close()
		close(p.done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("run %s: %w", n.bin, err)
	}
	n.proc = p

	deadline := time.Now().Add(readyTimeout)
	for {
		_, err := n.call(2*time.Second, "getblockcount")
		if err == nil {
			return nil
		}
		select {
		case <-p.done:
			n.proc = nil
			if bytes.Contains(n.readLog(), []byte("address already in use")) {
				return fmt.Errorf("%w: %v", errPortInUse, p.err)
			}
			return fmt.Errorf("btcd exited before its RPC server answered: %v", p.err)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = p.cmd.Process.Kill()
			<-p.done
			n.proc = nil
			return fmt.Errorf("btcd RPC did not answer within %v: %w", readyTimeout, err)
		}
	}
}

// stop interrupts the running process and waits for it to exit; after stopTimeout it is
// killed and an error returned.
func (n *Node) stop() error {
	n.procMu.Lock()
	defer n.procMu.Unlock()
	p := n.proc
	if p == nil {
		return nil
	}
	n.proc = nil
	defer n.http.CloseIdleConnections()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil && !errors.Is(err, os.ErrProcessDone) {
		_ = p.cmd.Process.Kill()
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(stopTimeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("btcd did not exit within %v of SIGINT; killed it", stopTimeout)
	}
}

// readLog returns the whole log file (empty if it cannot be read).
func (n *Node) readLog() []byte {
	b, _ := os.ReadFile(n.logFile)
	return b
}

// logTail returns the last tailLines lines of the log file.
func (n *Node) logTail() string {
	lines := strings.Split(strings.TrimRight(string(n.readLog()), "\n"), "\n")
	if len(lines) > tailLines {
		lines = lines[len(lines)-tailLines:]
	}
	return strings.Join(lines, "\n")
}

// freePorts returns two distinct loopback TCP ports that were free a moment ago.
func freePorts() (int, int, error) {
	var ports [2]int
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, 0, fmt.Errorf("find a free port: %w", err)
		}
		defer l.Close()
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports[0], ports[1], nil
}

// randomHex returns n random bytes, hex encoded.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
