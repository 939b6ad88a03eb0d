package rpc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// DefaultDataDir is Bitcoin Core's default data directory on Linux and other
// Unix systems: home/.bitcoin.
func DefaultDataDir(home string) string {
	return filepath.Join(home, ".bitcoin")
}

// NetworkSubdir is the directory below the data directory that holds a
// network's files (and its .cookie): "" for mainnet, "testnet3", "testnet4",
// "signet", "regtest". Other networks (simnet, a demo chain) use their own
// name.
func NetworkSubdir(network string) string {
	if network == "mainnet" || network == "" {
		return ""
	}
	return network
}

// DefaultCookiePath is where Bitcoin Core writes its cookie for network.
func DefaultCookiePath(datadir, network string) string {
	return filepath.Join(datadir, NetworkSubdir(network), ".cookie")
}

// DefaultPort is the node's default RPC port for network: Bitcoin Core's
// 8332 (mainnet), 18332 (testnet3), 48332 (testnet4), 38332 (signet), 18443
// (regtest), and btcd's 18556 for simnet. Other networks give 0.
func DefaultPort(network string) int {
	switch network {
	case "mainnet", "":
		return 8332
	case "testnet3":
		return 18332
	case "testnet4":
		return 48332
	case "signet":
		return 38332
	case "regtest":
		return 18443
	case "simnet":
		return 18556
	}
	return 0
}

// Conf is what soloist takes from a bitcoin.conf for one network.
type Conf struct {
	RPCUser     string
	RPCPassword string
	RPCPort     int // 0 when not set
	RPCConnect  string
	DataDir     string
	// Network is the chain the file selects for the node (chain=, regtest=1,
	// testnet=1, testnet4=1, signet=1) as a soloist network name, "" when it
	// selects none (mainnet).
	Network string
}

// confSection maps soloist network names to bitcoin.conf section names.
var confSection = map[string]string{
	"mainnet":  "main",
	"testnet3": "test",
	"testnet4": "testnet4",
	"signet":   "signet",
	"regtest":  "regtest",
}

// networkOnly options apply at top level to mainnet only (Core's
// NETWORK_ONLY flag); elsewhere they must be in the network's section.
var networkOnly = map[string]bool{"rpcport": true, "rpcbind": true, "port": true, "bind": true}

// maxConfLine bounds one line of bitcoin.conf.
const maxConfLine = 64 << 10

// ParseBitcoinConf reads a bitcoin.conf and returns the values that apply to
// network, as Bitcoin Core resolves them: a value in the network's section
// ([main], [test], [testnet4], [signet], [regtest]) or with its prefix
// (regtest.rpcport=…) overrides a top-level one for that network only;
// rpcport at top level applies to mainnet only; within the same level the
// first occurrence wins. "#" starts a comment; Core refuses "#" in
// rpcpassword as ambiguous, and so does this. includeconf is not followed.
//
// With network "" the values are those of the chain the file itself selects
// (Conf.Network; mainnet when it selects none).
func ParseBitcoinConf(r io.Reader, network string) (Conf, error) {
	top := map[string]string{}
	sections := map[string]map[string]string{}
	set := func(m map[string]string, k, v string) {
		if _, ok := m[k]; !ok {
			m[k] = v
		}
	}
	section := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), maxConfLine)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			if k, _, ok := strings.Cut(line[:i], "="); ok && isPasswordKey(strings.TrimSpace(k)) {
				return Conf{}, fmt.Errorf("bitcoin.conf line %d: '#' in rpcpassword is ambiguous (Bitcoin Core refuses it too); remove it or use --rpc-pass", n)
			}
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return Conf{}, fmt.Errorf("bitcoin.conf line %d: %q is not a [section] header", n, line)
			}
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return Conf{}, fmt.Errorf("bitcoin.conf line %d: %q is not key=value", n, short(line))
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if strings.HasPrefix(k, "-") {
			return Conf{}, fmt.Errorf("bitcoin.conf line %d: option %q must be written without a leading '-'", n, k)
		}
		s := section
		if pre, key, ok := strings.Cut(k, "."); ok {
			s, k = pre, key
		}
		if s == "" {
			set(top, k, v)
			continue
		}
		if sections[s] == nil {
			sections[s] = map[string]string{}
		}
		set(sections[s], k, v)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return Conf{}, fmt.Errorf("bitcoin.conf: a line is longer than %d bytes", maxConfLine)
		}
		return Conf{}, fmt.Errorf("read bitcoin.conf: %w", err)
	}
	selected, err := chainOf(top)
	if err != nil {
		return Conf{}, err
	}
	if network == "" {
		network = selected
	}
	want := "main"
	if network != "" && network != "mainnet" {
		want = confSection[network] // "" for networks Core does not know
	}
	sect := sections[want]
	if want == "" {
		sect = nil
	}
	get := func(k string) (string, bool) {
		if v, ok := sect[k]; ok {
			return v, true
		}
		if networkOnly[k] && want != "main" {
			return "", false
		}
		v, ok := top[k]
		return v, ok
	}
	var c Conf
	c.RPCUser, _ = get("rpcuser")
	c.RPCPassword, _ = get("rpcpassword")
	c.RPCConnect, _ = get("rpcconnect")
	c.DataDir, _ = get("datadir")
	if p, ok := get("rpcport"); ok && p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return Conf{}, fmt.Errorf("bitcoin.conf: rpcport=%q is not a port number", p)
		}
		c.RPCPort = port
	}
	c.Network = selected
	return c, nil
}

func isPasswordKey(k string) bool {
	_, key, ok := strings.Cut(k, ".")
	if !ok {
		key = k
	}
	return key == "rpcpassword"
}

// chainOf returns the network the top-level chain options select.
func chainOf(top map[string]string) (string, error) {
	var picked []string
	if v, ok := top["chain"]; ok && v != "" {
		switch v {
		case "main":
			picked = append(picked, "mainnet")
		case "test":
			picked = append(picked, "testnet3")
		case "testnet4", "signet", "regtest":
			picked = append(picked, v)
		default:
			return "", fmt.Errorf("bitcoin.conf: chain=%q is not main, test, testnet4, signet or regtest", v)
		}
	}
	for _, f := range []struct{ key, net string }{
		{"testnet", "testnet3"}, {"testnet4", "testnet4"}, {"signet", "signet"}, {"regtest", "regtest"},
	} {
		if v, ok := top[f.key]; ok && confBool(v) {
			picked = append(picked, f.net)
		}
	}
	switch len(picked) {
	case 0:
		return "", nil
	case 1:
		if picked[0] == "mainnet" {
			return "", nil
		}
		return picked[0], nil
	}
	return "", fmt.Errorf("bitcoin.conf selects more than one chain (%s); keep one", strings.Join(picked, ", "))
}

// confBool is Core's reading of a boolean option: "" and non-zero numbers
// are true, "0" false; other words are false.
func confBool(v string) bool {
	if v == "" {
		return true
	}
	n, err := strconv.Atoi(v)
	return err == nil && n != 0
}
