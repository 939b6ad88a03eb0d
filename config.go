package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/soloist-miner/soloist/rpc"
)

// config is everything the command line, the environment and bitcoin.conf
// decide. Precedence: flags, then environment, then bitcoin.conf, then
// defaults.
type config struct {
	node       string // host:port
	rpcUser    string
	rpcPass    string
	rpcCookie  string
	authSource string // what credentials are used, for messages; never values
	network    string
	netGiven   bool // --network was on the command line
	address    string
	cpu        int
	headless   bool
	dataDir    string
	demo       bool
	kernel     string
	usbFreq    []string
	noUSB      bool
	noProbe    bool
	logFile    string
}

// errUsage marks an error already explained on stderr (exit status 2).
var errUsage = errors.New("usage")

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

const usage = `soloist — solo Bitcoin mining from your own node

Usage:
  soloist --address ADDR [--node HOST:PORT] [--network NET] [--cpu N] [--headless]
  soloist --demo [--headless] [--cpu N]      mine on an embedded demo chain (no node needed)
  soloist bench [--cpu N] [--seconds S] [--json] [--kernel NAME|all]
  soloist bench --header HEX80 --start N --count M
  soloist devices [--selftest] [--json]
  soloist version

Options:
`

// parseFlags parses the mining command line. It prints problems to stderr
// and returns errUsage for them.
func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("soloist", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var usbFreq multiFlag
	fs.StringVar(&c.node, "node", "", "node RPC address `host:port` (default 127.0.0.1 on the network's port)")
	fs.StringVar(&c.rpcUser, "rpc-user", "", "RPC user (else bitcoin.conf, else the cookie file)")
	fs.StringVar(&c.rpcPass, "rpc-pass", "", "RPC password (or set SOLOIST_RPC_PASS, which ps cannot see)")
	fs.StringVar(&c.rpcCookie, "rpc-cookie", "", "node cookie file `path` (default: the network's .cookie in ~/.bitcoin)")
	fs.StringVar(&c.network, "network", "mainnet", "mainnet|testnet3|testnet4|signet|regtest|simnet; must match the node (without it: the chain bitcoin.conf selects, else mainnet)")
	fs.StringVar(&c.address, "address", "", "payout address: every coinbase pays its whole value here")
	fs.IntVar(&c.cpu, "cpu", runtime.NumCPU(), "CPU mining threads (0 = none)")
	fs.BoolVar(&c.headless, "headless", false, "no TUI: log lines and a status line every 10 s (automatic when stdout is not a terminal)")
	fs.StringVar(&c.dataDir, "data-dir", "", "where the found-block journal, best share and log live (default ~/.soloist/NETWORK)")
	fs.BoolVar(&c.demo, "demo", false, "mine on an embedded demo chain: no node, no real coins")
	fs.StringVar(&c.kernel, "kernel", "", "CPU kernel (default: the fastest this CPU has; see soloist bench)")
	fs.Var(&usbFreq, "usb-freq", "USB stick frequency: `MHZ` for all, or SERIAL=MHZ (repeatable)")
	fs.BoolVar(&c.noUSB, "no-usb", false, "do not look for USB miners")
	fs.BoolVar(&c.noProbe, "no-usb-probe", false, "do not send test work to unnamed CP2102 serial adapters (a Block Erupter looks like one)")
	fs.StringVar(&c.logFile, "log-file", "", "log file in TUI mode (default DATA-DIR/soloist.log)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, flag.ErrHelp
		}
		return nil, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "soloist: unexpected argument %q; see soloist --help\n", fs.Arg(0))
		return nil, errUsage
	}
	c.usbFreq = usbFreq
	fs.Visit(func(f *flag.Flag) { c.netGiven = c.netGiven || f.Name == "network" })
	if c.rpcPass == "" {
		c.rpcPass = getenv("SOLOIST_RPC_PASS")
	}
	if c.cpu < 0 {
		fmt.Fprintf(stderr, "soloist: --cpu %d: give a thread count of 0 or more\n", c.cpu)
		return nil, errUsage
	}
	if !c.demo {
		if _, err := networkParams(c.network); err != nil {
			fmt.Fprintf(stderr, "soloist: %v\n", err)
			return nil, errUsage
		}
		if c.address == "" {
			fmt.Fprintln(stderr, "soloist: no payout address: give --address with an address of your own wallet (or try soloist --demo)")
			return nil, errUsage
		}
		if (c.rpcUser == "") != (c.rpcPass == "") {
			fmt.Fprintln(stderr, "soloist: give both --rpc-user and --rpc-pass (or neither, to use the cookie file)")
			return nil, errUsage
		}
	}
	return c, nil
}

// networkParams returns the address parameters of a network.
func networkParams(network string) (*chaincfg.Params, error) {
	switch network {
	case "mainnet":
		return &chaincfg.MainNetParams, nil
	case "testnet3", "testnet4": // testnet4 shares testnet3's address prefixes
		return &chaincfg.TestNet3Params, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "regtest":
		return &chaincfg.RegressionNetParams, nil
	case "simnet":
		return &chaincfg.SimNetParams, nil
	}
	return nil, fmt.Errorf("unknown --network %q: use mainnet, testnet3, testnet4, signet, regtest or simnet", network)
}

// resolveNode fills in the node address and credentials from bitcoin.conf
// and the cookie file when the flags leave them open. It reads files; the
// result's authSource names what was chosen, never a secret.
func resolveNode(c *config, home string) (warning string, err error) {
	datadir := rpc.DefaultDataDir(home)
	var conf rpc.Conf
	confPath := filepath.Join(datadir, "bitcoin.conf")
	if raw, err := os.ReadFile(confPath); err == nil {
		net := c.network
		if !c.netGiven {
			net = "" // the chain bitcoin.conf selects (regtest=1, chain=signet, ...)
		}
		conf, err = rpc.ParseBitcoinConf(bytes.NewReader(raw), net)
		if err != nil {
			return "", fmt.Errorf("%s: %v", confPath, err)
		}
		if !c.netGiven && conf.Network != "" {
			c.network = conf.Network
		}
		if conf.DataDir != "" {
			datadir = conf.DataDir
		}
	}
	if c.node == "" {
		host := "127.0.0.1"
		if conf.RPCConnect != "" {
			host = conf.RPCConnect
		}
		port := rpc.DefaultPort(c.network)
		if conf.RPCPort != 0 {
			port = conf.RPCPort
		}
		if _, _, err := net.SplitHostPort(host); err == nil {
			c.node = host
		} else {
			c.node = net.JoinHostPort(host, strconv.Itoa(port))
		}
	}
	c.node = strings.TrimSuffix(strings.TrimPrefix(c.node, "http://"), "/")
	if _, _, err := net.SplitHostPort(c.node); err != nil {
		c.node = net.JoinHostPort(c.node, strconv.Itoa(rpc.DefaultPort(c.network)))
	}
	switch {
	case c.rpcPass != "":
		c.authSource = "--rpc-user/--rpc-pass"
	case c.rpcCookie != "":
		c.authSource = "cookie file " + c.rpcCookie
	case conf.RPCPassword != "":
		c.rpcUser, c.rpcPass = conf.RPCUser, conf.RPCPassword
		c.authSource = "rpcuser/rpcpassword from " + confPath
	default:
		c.rpcCookie = rpc.DefaultCookiePath(datadir, c.network)
		c.authSource = "cookie file " + c.rpcCookie
		if _, err := os.Stat(c.rpcCookie); err != nil {
			warning = fmt.Sprintf("%s does not exist yet: waiting for the node (or give --rpc-cookie PATH or --rpc-user/--rpc-pass)", c.rpcCookie)
		}
	}
	return warning, nil
}
