package rpc

import (
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	cases := []struct {
		network, subdir, cookie string
		port                    int
	}{
		{"mainnet", "", "/home/u/.bitcoin/.cookie", 8332},
		{"testnet3", "testnet3", "/home/u/.bitcoin/testnet3/.cookie", 18332},
		{"testnet4", "testnet4", "/home/u/.bitcoin/testnet4/.cookie", 48332},
		{"signet", "signet", "/home/u/.bitcoin/signet/.cookie", 38332},
		{"regtest", "regtest", "/home/u/.bitcoin/regtest/.cookie", 18443},
		{"simnet", "simnet", "/home/u/.bitcoin/simnet/.cookie", 18556},
	}
	dd := DefaultDataDir("/home/u")
	if dd != "/home/u/.bitcoin" {
		t.Fatalf("DefaultDataDir = %q", dd)
	}
	for _, tc := range cases {
		if got := NetworkSubdir(tc.network); got != tc.subdir {
			t.Errorf("NetworkSubdir(%s) = %q, want %q", tc.network, got, tc.subdir)
		}
		if got := DefaultCookiePath(dd, tc.network); got != tc.cookie {
			t.Errorf("DefaultCookiePath(%s) = %q, want %q", tc.network, got, tc.cookie)
		}
		if got := DefaultPort(tc.network); got != tc.port {
			t.Errorf("DefaultPort(%s) = %d, want %d", tc.network, got, tc.port)
		}
	}
	if DefaultPort("soloistdemo") != 0 {
		t.Error("a demo chain has no default port")
	}
}

const sampleConf = `
# a typical node
server=1
rpcuser=alice
rpcpassword=topsecret
rpcuser=mallory # a second rpcuser, and a trailing comment
rpcport=8500
rpcconnect=192.168.1.5
datadir=/srv/bitcoin
regtest.rpcport=3000

[test]
rpcport=18999
rpcuser=bob

[regtest]
rpcport=4000
rpcpassword=regpass
rpcpassword=ignored-second

[signet]
rpcuser = carol
`

func TestParseBitcoinConf(t *testing.T) {
	cases := []struct {
		network string
		want    Conf
	}{
		// Top-level rpcport applies to mainnet only.
		{"mainnet", Conf{RPCUser: "alice", RPCPassword: "topsecret", RPCPort: 8500, RPCConnect: "192.168.1.5", DataDir: "/srv/bitcoin"}},
		{"testnet3", Conf{RPCUser: "bob", RPCPassword: "topsecret", RPCPort: 18999, RPCConnect: "192.168.1.5", DataDir: "/srv/bitcoin"}},
		// regtest.rpcport= comes before [regtest]'s: the first one wins.
		{"regtest", Conf{RPCUser: "alice", RPCPassword: "regpass", RPCPort: 3000, RPCConnect: "192.168.1.5", DataDir: "/srv/bitcoin"}},
		{"signet", Conf{RPCUser: "carol", RPCPassword: "topsecret", RPCConnect: "192.168.1.5", DataDir: "/srv/bitcoin"}},
		{"testnet4", Conf{RPCUser: "alice", RPCPassword: "topsecret", RPCConnect: "192.168.1.5", DataDir: "/srv/bitcoin"}},
	}
	for _, tc := range cases {
		got, err := ParseBitcoinConf(strings.NewReader(sampleConf), tc.network)
		if err != nil {
			t.Fatalf("%s: %v", tc.network, err)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.network, got, tc.want)
		}
	}
}

func TestParseBitcoinConfChain(t *testing.T) {
	cases := []struct{ conf, want string }{
		{"", ""},
		{"regtest=1", "regtest"},
		{"testnet=1", "testnet3"},
		{"testnet4=1", "testnet4"},
		{"signet=1\n", "signet"},
		{"regtest=0", ""},
		{"chain=test", "testnet3"},
		{"chain=main", ""},
		{"chain=signet", "signet"},
		{"[regtest]\nregtest=1", ""}, // chain options count at top level only
	}
	for _, tc := range cases {
		got, err := ParseBitcoinConf(strings.NewReader(tc.conf), "mainnet")
		if err != nil || got.Network != tc.want {
			t.Errorf("%q: network %q, %v; want %q", tc.conf, got.Network, err, tc.want)
		}
	}
}

func TestParseBitcoinConfErrors(t *testing.T) {
	for _, conf := range []string{
		"rpcpassword=abc#def",
		"rpcpassword=abc # Core refuses a comment here too",
		"regtest.rpcpassword=abc#def",
		"[regtest\nrpcuser=x",
		"justaword",
		"-rpcuser=x",
		"rpcport=notaport",
		"rpcport=70000",
		"regtest=1\ntestnet=1",
		"chain=bogus",
		strings.Repeat("x", maxConfLine+1),
	} {
		_, err := ParseBitcoinConf(strings.NewReader(conf), "mainnet")
		if err == nil {
			t.Errorf("%.40q: no error", conf)
			continue
		}
		if strings.Contains(err.Error(), "abc") || strings.Contains(err.Error(), "def") {
			t.Errorf("%q: error %q shows the password", conf, err)
		}
	}
	// A commented-out password line is fine.
	if _, err := ParseBitcoinConf(strings.NewReader("#rpcpassword=a#b\n"), "mainnet"); err != nil {
		t.Errorf("commented line: %v", err)
	}
}

func FuzzParseBitcoinConf(f *testing.F) {
	f.Add([]byte(sampleConf), "regtest")
	f.Add([]byte("regtest=1\n[regtest]\nrpcport=1\n"), "mainnet")
	f.Add([]byte("main.rpcport=5\nrpcpassword=x#y"), "testnet4")
	f.Fuzz(func(t *testing.T, data []byte, network string) {
		c, err := ParseBitcoinConf(strings.NewReader(string(data)), network)
		if err != nil {
			if c != (Conf{}) {
				t.Fatal("values with an error")
			}
			return
		}
		if c.RPCPort < 0 || c.RPCPort > 65535 {
			t.Fatalf("port %d", c.RPCPort)
		}
		if strings.Contains(c.RPCPassword, "#") {
			t.Fatal("password with '#' accepted")
		}
	})
}

// TestParseBitcoinConfSelectedChain: with no network given, the values are
// those of the chain the file selects.
func TestParseBitcoinConfSelectedChain(t *testing.T) {
	conf := "regtest=1\nrpcuser=u\n[regtest]\nrpcport=19000\n[main]\nrpcport=1\n"
	got, err := ParseBitcoinConf(strings.NewReader(conf), "")
	if err != nil {
		t.Fatal(err)
	}
	if got != (Conf{RPCUser: "u", RPCPort: 19000, Network: "regtest"}) {
		t.Errorf("got %+v", got)
	}
	// An explicit network wins over the file's choice.
	got, _ = ParseBitcoinConf(strings.NewReader(conf), "mainnet")
	if got.RPCPort != 1 || got.Network != "regtest" {
		t.Errorf("mainnet: got %+v", got)
	}
	// Networks Core has no section for see only top-level values.
	got, _ = ParseBitcoinConf(strings.NewReader(conf), "simnet")
	if got.RPCPort != 0 || got.RPCUser != "u" {
		t.Errorf("simnet: got %+v", got)
	}
}
