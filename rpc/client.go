package rpc

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/btcsuite/btcd/rpcclient"
	"github.com/soloist-miner/soloist/miner"
)

// DefaultCallTimeout bounds an ordinary (non-long-poll) call when
// Config.CallTimeout is zero.
const DefaultCallTimeout = 30 * time.Second

// Config says how to reach and authenticate to the node.
type Config struct {
	// Host is the node's RPC address, "host:port". An "http://" prefix and a
	// trailing "/" are accepted and stripped.
	Host string
	// User and Pass are basic-auth credentials. When Pass is empty the
	// cookie file at CookiePath is read instead (and re-read when the node
	// rewrites it on restart).
	User, Pass string
	// CookiePath is the node's .cookie file, used when Pass is empty.
	CookiePath string
	// AuthSource says, for error messages only, which credentials were
	// tried, e.g. "cookie file /root/.bitcoin/.cookie" or
	// "--rpc-user/--rpc-pass". It must never hold a credential.
	AuthSource string
	// Network is soloist's network name (mainnet, testnet3, testnet4,
	// signet, regtest, simnet or a demo chain's name). On signet the
	// template request adds the "signet" rule.
	Network string
	// CallTimeout bounds each ordinary call; 0 means DefaultCallTimeout.
	// Long polls are bounded by their context only.
	CallTimeout time.Duration
	// Logger receives debug lines about transport trouble; nil is silent.
	Logger *slog.Logger
}

// Client talks to one node. It implements miner.Node and is safe for
// concurrent use.
type Client struct {
	cfg     Config
	log     *slog.Logger
	timeout time.Duration
	general *conn     // every ordinary call except submitblock
	submit  *conn     // submitblock only, so a found block never waits
	poll    *longPoll // long-poll getblocktemplate

	closeOnce sync.Once
}

// New checks cfg and returns a client. It does not contact the node: the
// first call does.
func New(cfg Config) (*Client, error) {
	host, err := normaliseHost(cfg.Host)
	if err != nil {
		return nil, err
	}
	cfg.Host = host
	if cfg.Pass == "" && cfg.CookiePath == "" {
		return nil, errors.New("no rpc credentials: give --rpc-user and --rpc-pass, or --rpc-cookie with the node's .cookie file")
	}
	if cfg.AuthSource == "" {
		if cfg.Pass != "" {
			cfg.AuthSource = "rpc user/password"
		} else {
			cfg.AuthSource = "cookie file " + cfg.CookiePath
		}
	}
	c := &Client{cfg: cfg, timeout: cfg.CallTimeout, log: cfg.Logger}
	if c.timeout <= 0 {
		c.timeout = DefaultCallTimeout
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.general = newConn("general", cfg, c.log)
	c.submit = newConn("submit", cfg, c.log)
	c.poll = newLongPoll(cfg, c.log)
	return c, nil
}

// Close stops the client's transports and abandons in-flight calls, which
// return an error. Calls made after Close fail.
func (c *Client) Close() {
	c.closeOnce.Do(func() {
		c.general.close()
		c.submit.close()
		c.poll.close()
	})
}

// normaliseHost strips an http:// prefix and a trailing slash and checks that
// what remains is host:port.
func normaliseHost(h string) (string, error) {
	h = strings.TrimSpace(h)
	lower := strings.ToLower(h)
	switch {
	case strings.HasPrefix(lower, "https://"):
		return "", fmt.Errorf("node address %q: https is not supported; the node's RPC is plain HTTP, use http://host:port or host:port", h)
	case strings.HasPrefix(lower, "http://"):
		h = h[len("http://"):]
	}
	h = strings.TrimRight(h, "/")
	if h == "" {
		return "", errors.New("no node address: give --node host:port")
	}
	if strings.Contains(h, "/") {
		return "", fmt.Errorf("node address %q: give host:port without a path", h)
	}
	host, port, err := net.SplitHostPort(h)
	if err != nil || port == "" {
		return "", fmt.Errorf("node address %q is not host:port (e.g. 127.0.0.1:8332)", h)
	}
	if host == "" {
		h = net.JoinHostPort("127.0.0.1", port)
	}
	return h, nil
}

// connConfig is the rpcclient configuration for cfg. Params stays empty:
// rpcclient v0.24.2 rejects signet and testnet4 there, and only wallet calls
// use it.
func connConfig(cfg Config) *rpcclient.ConnConfig {
	cc := &rpcclient.ConnConfig{
		Host:         cfg.Host,
		User:         cfg.User,
		Pass:         cfg.Pass,
		HTTPPostMode: true,
		DisableTLS:   true,
	}
	if cfg.Pass == "" {
		cc.CookiePath = cfg.CookiePath
	}
	return cc
}

var _ miner.Node = (*Client)(nil)
