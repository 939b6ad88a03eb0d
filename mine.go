package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/soloist-miner/soloist/demo"
	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/cpu"
	"github.com/soloist-miner/soloist/miner/sha256d"
	"github.com/soloist-miner/soloist/rpc"
	"github.com/soloist-miner/soloist/tui"
	"github.com/soloist-miner/soloist/usbasic"
)

// mine runs the miner against the configured node (or the embedded demo
// node) until ctx ends or the user quits.
func mine(ctx context.Context, c *config, stdout, stderr io.Writer) int {
	headless := c.headless || !isTerminal(stdout)

	kernel, err := sha256d.ByName(c.kernel)
	if err != nil {
		return fail(stderr, exitUsage, "%v; soloist bench lists the kernels this CPU has", err)
	}

	var (
		params  *chaincfg.Params
		network = c.network
	)
	var nodeWarning string
	if c.demo {
		network = demo.ChainName
	} else {
		w, err := resolveNode(c, homeDir())
		if err != nil {
			return fail(stderr, exitUsage, "%v", err)
		}
		nodeWarning, network = w, c.network // bitcoin.conf may have chosen the network
	}
	dataDir := c.dataDir
	if dataDir == "" {
		dataDir = defaultDataDir(network)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return fail(stderr, exitUsage, "cannot create the data directory: %v; give --data-dir DIR", err)
	}

	// Logging: headless mode logs to stdout; the TUI owns the terminal, so
	// its log goes to a file in the data directory.
	var logger *slog.Logger
	var logPath string
	if headless {
		logger = newLogger(stdout, slog.LevelInfo)
	} else {
		logPath = c.logFile
		if logPath == "" {
			logPath = filepath.Join(dataDir, "soloist.log")
		}
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return fail(stderr, exitUsage, "cannot open the log file: %v; give --log-file PATH", err)
		}
		defer f.Close()
		logger = newLogger(f, slog.LevelDebug)
	}

	// Libraries that print with the log package (gousb does) must not
	// write over the TUI: route them into our logger.
	slog.SetDefault(logger)

	var nodeCfg rpc.Config
	if c.demo {
		dir, err := os.MkdirTemp("", "soloist-demo-*")
		if err != nil {
			return fail(stderr, exitError, "demo: %v", err)
		}
		defer os.RemoveAll(dir)
		dn, err := demo.Start(ctx, demo.Config{Dir: dir, Logger: logger.With("sub", "demo")})
		if err != nil {
			return fail(stderr, exitError, "demo node: %v", err)
		}
		defer dn.Close()
		params = dn.Params()
		if c.address == "" {
			c.address = dn.DemoAddress().EncodeAddress()
		}
		nodeCfg = rpc.Config{Host: dn.URL(), CookiePath: dn.CookiePath(), AuthSource: "demo cookie", Network: network}
	} else {
		if params, err = networkParams(c.network); err != nil {
			return fail(stderr, exitUsage, "%v", err)
		}
		if nodeWarning != "" {
			logger.Warn(nodeWarning)
		}
		nodeCfg = rpc.Config{Host: c.node, User: c.rpcUser, Pass: c.rpcPass, CookiePath: c.rpcCookie,
			AuthSource: c.authSource, Network: c.network}
	}

	payout, err := miner.ParsePayout(c.address, params)
	if err != nil {
		return fail(stderr, exitUsage, "%v", err)
	}
	nodeCfg.Logger = logger.With("sub", "rpc")
	node, err := rpc.New(nodeCfg)
	if err != nil {
		return fail(stderr, exitUsage, "node: %v", err)
	}
	defer node.Close()

	cpuHasher := cpu.New(cpu.Config{Threads: c.cpu, Kernel: kernel})
	hashers := []miner.Hasher{cpuHasher}
	freq, err := usbasic.ParseFreqFlags(c.usbFreq)
	if err != nil {
		return fail(stderr, exitUsage, "%v", err)
	}
	usb := usbSticks(ctx, c, freq, logger)
	if usb != nil {
		defer usb.Close() // after the miner has stopped every stick
		hashers = append(hashers, usb.Hashers()...)
	}

	host := nodeCfg.Host
	if c.demo {
		host = "embedded demo node"
	}
	m, err := miner.New(miner.Config{
		Node: node, Network: network, NodeHost: host, Payout: payout, Hashers: hashers,
		DataDir: dataDir, RequirePeers: network == "mainnet" || network == "testnet3" || network == "testnet4" || network == "signet",
		TimeBoundBits: network == "testnet3" || network == "testnet4",
		Logger:        logger,
	})
	if err != nil {
		return fail(stderr, exitUsage, "%v", err)
	}

	// Start-up lines: what gets paid, to what, and how we mine.
	startup := []string{
		fmt.Sprintf("soloist %s mining on %s via %s", versionString(), network, host),
		fmt.Sprintf("payout address %s (%s), script %s", payout.Address.EncodeAddress(), payout.Type, hex.EncodeToString(payout.Script)),
		fmt.Sprintf("cpu: %d threads, kernel %s; data in %s", c.cpu, cpuHasher.Kernel(), dataDir),
	}
	if usb != nil {
		startup = append(startup, fmt.Sprintf("usb: %d sticks", len(usb.Hashers())))
	}
	for _, l := range startup {
		logger.Info(l)
	}
	if !headless {
		for _, l := range startup {
			fmt.Fprintln(stderr, l)
		}
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(runCtx) }()
	if usb != nil {
		go forwardSticks(runCtx, usb, m)
	}

	var runErr error
	if headless {
		runErr = headlessLoop(runCtx, m, logger, done)
	} else {
		uiErr := make(chan error, 1)
		uiCtx, uiCancel := context.WithCancel(runCtx)
		go func() {
			uiErr <- tui.Run(uiCtx, tui.Options{
				Snapshots: m.Snapshots(), Events: m.Events(), Controller: m,
				Version: versionString(), Network: network,
				ASCII: asciiTerminal(), NoColor: os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb",
			})
		}()
		select {
		case err := <-uiErr: // the user quit
			cancel()
			runErr = <-done
			if err != nil && !errors.Is(err, context.Canceled) {
				fmt.Fprintf(stderr, "soloist: tui: %v\n", err)
			}
		case runErr = <-done: // the miner stopped: close the UI first
			uiCancel()
			<-uiErr
		}
		uiCancel()
	}
	if runErr != nil {
		return fail(stderr, exitUsage, "%v", runErr)
	}
	if logPath != "" {
		fmt.Fprintf(stderr, "soloist: stopped; log in %s\n", logPath)
	}
	return exitOK
}

// asciiTerminal reports whether the terminal cannot draw box glyphs: a
// dumb or vt100 terminal, or a locale that is not UTF-8.
func asciiTerminal() bool {
	switch os.Getenv("TERM") {
	case "dumb", "vt100", "vt102", "ansi":
		return true
	}
	for _, v := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if s := strings.ToUpper(os.Getenv(v)); s != "" {
			return !strings.Contains(s, "UTF-8") && !strings.Contains(s, "UTF8")
		}
	}
	return false
}
