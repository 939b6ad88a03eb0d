package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/rpcclient"
	"github.com/soloist-miner/soloist/miner"
)

// While a call is pending, the node's port is probed first after probeDelay
// and then every probeInterval; a failed dial abandons the call.
const (
	probeDelay    = 500 * time.Millisecond
	probeInterval = time.Second
	probeTimeout  = 2 * time.Second
)

// errClosed is returned by calls on a closed Client.
var errClosed = errors.New("rpc client closed")

// conn runs calls on one rpcclient.Client in HTTP POST mode and replaces
// that client whenever a call on it is abandoned, so that later calls never
// queue behind rpcclient's retry loop.
type conn struct {
	name string
	cfg  Config
	log  *slog.Logger

	done chan struct{} // closed by close
	down atomic.Bool   // the last call found the node unreachable: probe at once

	mu     sync.RWMutex // guards cl and closed; read-held while enqueueing
	cl     *rpcclient.Client
	closed bool
}

func newConn(name string, cfg Config, log *slog.Logger) *conn {
	return &conn{name: name, cfg: cfg, log: log, done: make(chan struct{})}
}

// send enqueues a raw request on the current rpcclient.Client, making one
// if needed. The read lock is held while enqueueing so that discard cannot
// shut the client down between the two.
func (c *conn) send(method string, params []json.RawMessage) (*rpcclient.Client, rpcclient.FutureRawResult, error) {
	for {
		c.mu.RLock()
		if c.closed {
			c.mu.RUnlock()
			return nil, nil, errClosed
		}
		if cl := c.cl; cl != nil {
			fut := cl.RawRequestAsync(method, params)
			c.mu.RUnlock()
			return cl, fut, nil
		}
		c.mu.RUnlock()

		c.mu.Lock()
		if c.cl == nil && !c.closed {
			cl, err := rpcclient.New(connConfig(c.cfg), nil)
			if err != nil {
				c.mu.Unlock()
				return nil, nil, fmt.Errorf("rpc client for %s: %w", c.cfg.Host, err)
			}
			c.cl = cl
		}
		c.mu.Unlock()
	}
}

// discard shuts cl down and forgets it if it is still the current client.
// rpcclient's Shutdown ends its retry back-off at once; an HTTP request in
// flight finishes on its own.
func (c *conn) discard(cl *rpcclient.Client) {
	c.mu.Lock()
	if c.cl == cl {
		c.cl = nil
	}
	c.mu.Unlock()
	cl.Shutdown()
}

// close shuts the current client down; later calls fail with errClosed.
func (c *conn) close() {
	c.mu.Lock()
	cl := c.cl
	if !c.closed {
		close(c.done)
	}
	c.cl, c.closed = nil, true
	c.mu.Unlock()
	if cl != nil {
		cl.Shutdown()
	}
}

// call runs one JSON-RPC call bounded by ctx and timeout and returns its raw
// result or a classified error.
func (c *conn) call(ctx context.Context, timeout time.Duration, method string, params ...any) (json.RawMessage, error) {
	raw, err := marshalParams(params)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cookieRetried := false
	for {
		cl, fut, err := c.send(method, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", method, err)
		}
		res, err := c.await(ctx, cctx, cl, fut, method)
		if err == nil {
			c.down.Store(false)
			return res, nil
		}
		if errors.Is(err, errClosed) {
			return nil, fmt.Errorf("%s: %w", method, errClosed)
		}
		if errors.Is(err, rpcclient.ErrClientShutdown) && cctx.Err() == nil {
			c.mu.RLock()
			closed := c.closed
			c.mu.RUnlock()
			if !closed {
				continue // another call replaced the client under us
			}
			return nil, fmt.Errorf("%s: %w", method, errClosed)
		}
		err = classify(method, c.cfg.AuthSource, err)
		c.down.Store(errors.Is(err, miner.ErrUnreachable))
		if errors.Is(err, miner.ErrAuth) && c.cfg.Pass == "" && !cookieRetried {
			// rpcclient caches the cookie for 30 s; a node that restarted has
			// a new one. Try once more on a fresh client, which re-reads it.
			cookieRetried = true
			c.discard(cl)
			continue
		}
		return nil, err
	}
}

// await waits for fut, the context, or a failed probe of the node's port.
func (c *conn) await(parent, ctx context.Context, cl *rpcclient.Client, fut rpcclient.FutureRawResult, method string) (json.RawMessage, error) {
	delay := probeDelay
	if c.down.Load() {
		delay = 0
	}
	probe := time.NewTimer(delay)
	defer probe.Stop()
	for {
		select {
		case r := <-fut:
			// Put the response back so that Receive can decode it.
			again := make(chan *rpcclient.Response, 1)
			again <- r
			return rpcclient.FutureRawResult(again).Receive()
		case <-c.done:
			return nil, errClosed
		case <-ctx.Done():
			c.discard(cl)
			c.log.Debug("rpc call abandoned", "conn", c.name, "method", method, "err", ctx.Err())
			return nil, abandoned(method, parent, ctx.Err())
		case <-probe.C:
			if err := dialProbe(ctx, c.cfg.Host); err != nil {
				if ctx.Err() != nil {
					continue // the ctx case reports it
				}
				c.discard(cl)
				c.log.Debug("rpc node port probe failed", "conn", c.name, "method", method, "err", err)
				return nil, fmt.Errorf("%s: %w: %w", method, miner.ErrUnreachable, err)
			}
			probe.Reset(probeInterval)
		}
	}
}

// dialProbe opens and closes a TCP connection to host.
func dialProbe(ctx context.Context, host string) error {
	d := net.Dialer{Timeout: probeTimeout}
	nc, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return err
	}
	return nc.Close()
}

// marshalParams encodes each positional parameter.
func marshalParams(params []any) ([]json.RawMessage, error) {
	out := make([]json.RawMessage, 0, len(params))
	for i, p := range params {
		b, err := json.Marshal(p)
		if err != nil {
			return nil, fmt.Errorf("encode parameter %d: %w", i+1, err)
		}
		out = append(out, b)
	}
	return out, nil
}
