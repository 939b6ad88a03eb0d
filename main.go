// Command soloist is a terminal solo Bitcoin miner: it mines on CPU threads
// and USB ASIC sticks against the getblocktemplate of the user's own node,
// pays every coinbase to the user's address, and never loses a found block.
//
// main is the only place that reads flags, the environment and
// configuration files; everything else is wired from here.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"

	"golang.org/x/term"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2 // bad input or a condition the program cannot go on from
)

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "version":
			fmt.Fprintln(stdout, "soloist", versionString())
			return exitOK
		case "bench":
			return runBench(args[1:], stdout, stderr)
		case "devices":
			return runDevices(args[1:], stdout, stderr)
		case "help":
			args = []string{"--help"}
		}
	}
	cfg, err := parseFlags(args, os.Getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return mine(ctx, cfg, stdout, stderr)
}

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func homeDir() string {
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return "."
}

// defaultDataDir is ~/.soloist/NETWORK.
func defaultDataDir(network string) string {
	return filepath.Join(homeDir(), ".soloist", network)
}

// fail prints one line on stderr and returns the exit status.
func fail(stderr io.Writer, status int, format string, a ...any) int {
	fmt.Fprintf(stderr, "soloist: "+format+"\n", a...)
	return status
}

// newLogger returns a text logger on w.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
