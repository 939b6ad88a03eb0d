package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFlagsRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{}, "no payout address"},
		{[]string{"--address", "x", "--network", "moonnet"}, "unknown --network"},
		{[]string{"--address", "x", "--cpu", "-2"}, "thread count"},
		{[]string{"--address", "x", "--rpc-user", "u"}, "both --rpc-user and --rpc-pass"},
		{[]string{"--address", "x", "extra"}, "unexpected argument"},
		{[]string{"--bogus"}, "flag provided but not defined"},
	} {
		var stderr bytes.Buffer
		_, err := parseFlags(tc.args, func(string) string { return "" }, &stderr)
		if err == nil || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: err %v, stderr %q; want %q", tc.args, err, stderr.String(), tc.want)
		}
	}
	// The password may come from the environment, never echoed.
	c, err := parseFlags([]string{"--address", "x", "--rpc-user", "u"}, func(k string) string {
		if k == "SOLOIST_RPC_PASS" {
			return "s3cret"
		}
		return ""
	}, &bytes.Buffer{})
	if err != nil || c.rpcPass != "s3cret" {
		t.Fatalf("env password: %v %+v", err, c)
	}
}

func TestResolveNodeFromBitcoinConf(t *testing.T) {
	home := t.TempDir()
	dd := filepath.Join(home, ".bitcoin")
	os.MkdirAll(filepath.Join(dd, "regtest"), 0o700)
	conf := "regtest=1\n[regtest]\nrpcuser=alice\nrpcpassword=hunter2\nrpcport=18999\n"
	if err := os.WriteFile(filepath.Join(dd, "bitcoin.conf"), []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := parseFlags([]string{"--address", "x"}, func(string) string { return "" }, &bytes.Buffer{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := resolveNode(c, home); err != nil {
		t.Fatal(err)
	}
	if c.network != "regtest" || c.node != "127.0.0.1:18999" || c.rpcUser != "alice" || c.rpcPass != "hunter2" {
		t.Fatalf("resolved %+v", c)
	}
	if strings.Contains(c.authSource, "hunter2") || !strings.Contains(c.authSource, "bitcoin.conf") {
		t.Fatalf("auth source %q", c.authSource)
	}

	// An explicit --network wins, and the cookie of that network is the default.
	c, _ = parseFlags([]string{"--address", "x", "--network", "signet"}, func(string) string { return "" }, &bytes.Buffer{})
	warn, err := resolveNode(c, home)
	if err != nil {
		t.Fatal(err)
	}
	if c.network != "signet" || c.node != "127.0.0.1:38332" || c.rpcCookie != filepath.Join(dd, "signet", ".cookie") || warn == "" {
		t.Fatalf("resolved %+v (warning %q)", c, warn)
	}
}
