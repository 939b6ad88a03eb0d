package demo

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/database"
	_ "github.com/btcsuite/btcd/database/ffldb" // registers the "ffldb" driver
	"github.com/btcsuite/btcd/txscript"
)

// Defaults applied to zero Config fields.
const (
	DefaultLongPollTimeout = 60 * time.Second
	DefaultLongPollTxDelay = 10 * time.Second
	DefaultTxInterval      = 5 * time.Second
	// DefaultPremine is the number of blocks the node mines to its own
	// wallet at start. It equals the coinbase maturity, so the first
	// premined coinbase can be spent in the first block a miner mines.
	DefaultPremine = 10
)

// Config configures Start. Every zero value is a safe default.
type Config struct {
	// Dir is a fresh, existing directory for this run's data (the block
	// database and the cookie file). The caller creates and removes it.
	Dir string
	// Logger receives the node's log lines; nil means silent.
	Logger *slog.Logger

	// TargetSpacing is the mean block interval the difficulty aims for
	// (default DefaultTargetSpacing, at least 2 s). The chain's
	// TargetTimePerBlock is 9/10 of it and blocks may fall back to the
	// easiest difficulty 6 spacings after their parent; see doc.go.
	TargetSpacing time.Duration
	// LongPollTimeout is how long a long-polling getblocktemplate waits
	// with nothing new before it returns a fresh template anyway
	// (default DefaultLongPollTimeout).
	LongPollTimeout time.Duration
	// LongPollTxDelay is how long a long poll waits, counted from its
	// start, before it returns because only the mempool changed
	// (default DefaultLongPollTxDelay). A new tip returns at once.
	LongPollTxDelay time.Duration
	// TxInterval is the mean time between synthetic transactions
	// (default DefaultTxInterval); negative disables the trickle.
	TxInterval time.Duration
	// Premine is the number of blocks the node mines to its own wallet at
	// start (default DefaultPremine; negative means none, and then the
	// wallet has no coins and sends no synthetic transactions).
	Premine int

	// now replaces the clock in tests (block times and template times).
	now func() time.Time
}

// Node is a running demo node: a btcd chain in Config.Dir served over
// Bitcoin Core shaped JSON-RPC on a loopback port. Its methods are safe for
// concurrent use.
type Node struct {
	cfg    Config
	log    *slog.Logger
	params *chaincfg.Params
	timing chainTiming
	db     database.DB
	chain  *blockchain.BlockChain
	now    func() time.Time
	payout btcutil.Address
	wallet *wallet
	start  time.Time

	// mu serialises every change of chain, mempool and wallet and guards
	// the fields below.
	mu          sync.Mutex
	pool        *mempool
	seq         uint64        // bumped when the mempool or the difficulty phase changes
	phaseSeq    uint64        // seq at which the current tip's easy phase opened, 0 if not
	changed     chan struct{} // closed and replaced on every tip or seq change
	phaseTimer  *time.Timer   // the easiest bits become valid for the tip
	rescueTimer *time.Timer   // a retarget block is overdue: give up the tip
	cache       *txSelection
	invalid     map[chainhash.Hash]string

	// evMu guards events, filled by the chain's notification callback
	// while mu is held by the goroutine calling ProcessBlock.
	evMu   sync.Mutex
	events []*blockchain.Notification

	ln         net.Listener
	srv        *http.Server
	url        string
	cookiePath string
	auth       string // expected Authorization header value

	done      chan struct{}
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

// Start creates the demo chain in cfg.Dir, mines the premine to the node's
// own wallet, starts the synthetic transaction trickle and serves JSON-RPC
// on a random 127.0.0.1 port. ctx bounds the start-up only; the node runs
// until Close.
func Start(ctx context.Context, cfg Config) (*Node, error) {
	if cfg.Dir == "" {
		return nil, errors.New("demo: no data directory given; pass a fresh directory in Config.Dir")
	}
	if fi, err := os.Stat(cfg.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("demo: data directory %q does not exist; create it first", cfg.Dir)
	}
	applyDefaults(&cfg)
	if cfg.TargetSpacing < 2*time.Second {
		return nil, fmt.Errorf("demo: target spacing %v is too short; use at least 2s", cfg.TargetSpacing)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	now := cfg.now
	params, err := newParams(cfg.TargetSpacing, now().Add(-time.Minute))
	if err != nil {
		return nil, err
	}
	registerNet(params)
	payout, err := demoAddress(params)
	if err != nil {
		return nil, err
	}
	w, err := newWallet(params)
	if err != nil {
		return nil, err
	}

	dbPath := filepath.Join(cfg.Dir, "chain")
	db, err := database.Create("ffldb", dbPath, params.Net)
	if err != nil {
		return nil, fmt.Errorf("demo: create block database in %s (the directory must be fresh): %w", cfg.Dir, err)
	}
	n := &Node{
		cfg:     cfg,
		log:     log,
		params:  params,
		timing:  timingFor(cfg.TargetSpacing),
		db:      db,
		now:     now,
		payout:  payout,
		wallet:  w,
		start:   time.Now(),
		pool:    newMempool(),
		changed: make(chan struct{}),
		invalid: make(map[chainhash.Hash]string),
		done:    make(chan struct{}),
	}
	n.chain, err = blockchain.New(&blockchain.Config{
		DB:          db,
		ChainParams: params,
		TimeSource:  blockchain.NewMedianTime(),
		SigCache:    txscript.NewSigCache(10000),
		HashCache:   txscript.NewHashCache(10000),
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("demo: open chain: %w", err)
	}
	n.chain.Subscribe(n.onChainEvent)

	if err := n.premine(ctx, cfg.Premine); err != nil {
		n.abort()
		return nil, err
	}
	if err := n.serve(); err != nil {
		n.abort()
		return nil, err
	}
	n.mu.Lock()
	n.armStallTimersLocked()
	n.mu.Unlock()
	if cfg.TxInterval > 0 {
		n.wg.Add(1)
		go n.trickle()
	}
	best := n.chain.BestSnapshot()
	log.Info("demo node started", "url", n.url, "chain", ChainName, "height", best.Height,
		"spacing", cfg.TargetSpacing, "dir", cfg.Dir)
	return n, nil
}

// abort undoes a start that failed after the chain was opened.
func (n *Node) abort() {
	close(n.done)
	n.mu.Lock()
	n.stopStallTimersLocked()
	n.db.Close()
	n.mu.Unlock()
}

func applyDefaults(cfg *Config) {
	if cfg.TargetSpacing == 0 {
		cfg.TargetSpacing = DefaultTargetSpacing
	}
	if cfg.LongPollTimeout <= 0 {
		cfg.LongPollTimeout = DefaultLongPollTimeout
	}
	if cfg.LongPollTxDelay <= 0 {
		cfg.LongPollTxDelay = DefaultLongPollTxDelay
	}
	if cfg.TxInterval == 0 {
		cfg.TxInterval = DefaultTxInterval
	}
	if cfg.Premine == 0 {
		cfg.Premine = DefaultPremine
	}
	if cfg.Premine < 0 {
		cfg.Premine = 0
	}
	if cfg.now == nil {
		cfg.now = time.Now
	}
}

// URL returns the JSON-RPC endpoint, "http://127.0.0.1:PORT".
func (n *Node) URL() string { return n.url }

// CookiePath returns the path of the cookie file holding
// "__cookie__:<password>" for HTTP basic auth.
func (n *Node) CookiePath() string { return n.cookiePath }

// Params returns the demo network's parameters. Its address prefixes are
// registered with chaincfg, so btcutil.DecodeAddress accepts "sdemo1…"
// addresses with it.
func (n *Node) Params() *chaincfg.Params { return n.params }

// DemoAddress returns the demo network's fixed payout address for users who
// give none. The node never spends from it.
func (n *Node) DemoAddress() btcutil.Address { return n.payout }

// Close stops the server, the trickle and any waiting long polls, closes the
// database and removes the cookie file. It is safe to call more than once.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		close(n.done)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var errs []error
		if n.srv != nil {
			if err := n.srv.Shutdown(ctx); err != nil {
				errs = append(errs, fmt.Errorf("demo: stop server: %w", err))
				n.srv.Close()
			}
		}
		n.wg.Wait()
		n.mu.Lock()
		n.stopStallTimersLocked()
		if err := n.db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("demo: close database: %w", err))
		}
		n.mu.Unlock()
		if n.cookiePath != "" {
			if err := os.Remove(n.cookiePath); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, fmt.Errorf("demo: remove cookie: %w", err))
			}
		}
		n.closeErr = errors.Join(errs...)
		n.log.Info("demo node stopped")
	})
	return n.closeErr
}

// onChainEvent records chain notifications. btcd calls it synchronously
// inside ProcessBlock, whose caller holds n.mu, so it must not take n.mu.
func (n *Node) onChainEvent(ev *blockchain.Notification) {
	if ev.Type != blockchain.NTBlockConnected && ev.Type != blockchain.NTBlockDisconnected {
		return
	}
	n.evMu.Lock()
	n.events = append(n.events, ev)
	n.evMu.Unlock()
}

// takeEvents returns and clears the recorded chain notifications.
func (n *Node) takeEvents() []*blockchain.Notification {
	n.evMu.Lock()
	defer n.evMu.Unlock()
	evs := n.events
	n.events = nil
	return evs
}

// notifyLocked wakes every waiting long poll. Callers hold n.mu.
func (n *Node) notifyLocked() {
	close(n.changed)
	n.changed = make(chan struct{})
}

// closed reports whether Close has begun.
func (n *Node) closed() bool {
	select {
	case <-n.done:
		return true
	default:
		return false
	}
}
