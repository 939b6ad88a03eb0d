package btcdtest

import (
	"errors"
	"go/build"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// installHint is the one line a test prints when btcd is missing.
const installHint = "btcd binary not found on PATH or in $(go env GOPATH)/bin: run go install github.com/btcsuite/btcd@v0.24.2"

// findBtcd returns the path of the btcd binary: PATH first, then $(go env GOPATH)/bin.
func findBtcd() (string, error) {
	if p, err := exec.LookPath("btcd"); err == nil {
		return p, nil
	}
	return findIn(gopathBins())
}

// findIn returns the first executable btcd in dirs, or an error with the install command.
func findIn(dirs []string) (string, error) {
	for _, dir := range dirs {
		p := filepath.Join(dir, "btcd")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", errors.New(installHint)
}

// gopathBins lists the bin directories of every GOPATH entry, as `go env GOPATH` reports it
// (falling back to go/build's default when the go command is not available).
func gopathBins() []string {
	gopath := build.Default.GOPATH
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		if s := strings.TrimSpace(string(out)); s != "" {
			gopath = s
		}
	}
	var bins []string
	for _, dir := range filepath.SplitList(gopath) {
		if dir != "" {
			bins = append(bins, filepath.Join(dir, "bin"))
		}
	}
	return bins
}
