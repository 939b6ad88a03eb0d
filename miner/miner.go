package miner

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Config configures a Miner.
type Config struct {
	Node Node
	// Network is the soloist network name the node must be on ("mainnet",
	// "regtest", ...). Run fails with ErrWrongNetwork when it is not.
	Network string
	// NodeHost is shown to the user (host:port, never credentials).
	NodeHost string
	Payout   Payout
	// Tag is put in every coinbase scriptSig (at most 40 bytes).
	Tag     string
	Hashers []Hasher
	// DataDir holds the found-block journal and the all-time best share;
	// "" keeps nothing on disk (tests).
	DataDir string
	// MinShareDifficulty is the easiest share hashers report (default
	// 1/1024): enough shares for the best-share figures, few enough to be
	// free.
	MinShareDifficulty float64
	// RequirePeers makes the miner wait while the node has no peers
	// (public networks).
	RequirePeers bool
	// PollInterval is how often the template is fetched when the node does
	// not long poll (default 2 s).
	PollInterval time.Duration
	// RefreshInterval is the longest a template is mined before a fresh one
	// is taken to pick up new transactions (default 30 s; 10 s with
	// TimeBoundBits).
	RefreshInterval time.Duration
	// TimeBoundBits says the network's difficulty depends on the block time
	// (testnet3 and testnet4: a block more than 20 minutes after its parent
	// may use difficulty 1). Header times are then not rolled, and templates
	// are refreshed often so that the easy bits are mined as soon as the
	// node offers them.
	TimeBoundBits bool
	// SnapshotInterval is how often a Snapshot is published (default 250 ms).
	SnapshotInterval time.Duration
	Logger           *slog.Logger
}

// ErrWrongNetwork is returned by Run when the node is on another chain than
// Config.Network.
var ErrWrongNetwork = errors.New("node is on another network")

// Miner runs the whole mining pipeline. Its control methods (Pause, Resume,
// SetCPUThreads, ResetAllTimeBest, AddHasher) are safe for concurrent use.
type Miner struct {
	cfg  Config
	log  *slog.Logger
	feed *Feed

	snaps  chan Snapshot
	events chan Event

	started time.Time
	jobID   atomic.Uint64
	enBase  uint64
	paused  atomic.Bool
	dropped atomic.Uint64
	journal *Journal

	refetch chan struct{} // asks the template loop for a fresh template now

	mu      sync.Mutex // guards the fields below
	hashers []*hasherState
	node    NodeView
	tmpl    TemplateView
	work    WorkView
	job     *Job // latest job built, published or not (paused)
	tip     chainhash.Hash
	// hold is a parent we found a block on: work on it is not handed out
	// again until holdUntil, or until the node rejects that block.
	seenTip   bool
	foundOn   map[chainhash.Hash]bool // parents we found a block on
	hold      chainhash.Hash
	holdUntil time.Time
	best      *bests
	blocks    []FoundBlock
	// blocksFound and blocksConfirmed count every block of the session.
	blocksFound, blocksConfirmed uint64
	total                        meter
	addCh                        chan Hasher
}

type hasherState struct {
	h        Hasher
	meter    meter
	shares   uint64
	rejected uint64
}

// New checks cfg and returns a miner ready to Run.
func New(cfg Config) (*Miner, error) {
	if cfg.Node == nil {
		return nil, errors.New("miner: no node")
	}
	if len(cfg.Payout.Script) == 0 {
		return nil, errors.New("miner: no payout script")
	}
	if cfg.MinShareDifficulty == 0 {
		cfg.MinShareDifficulty = 1.0 / 1024
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 2 * time.Second
	}
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = 30 * time.Second
		if cfg.TimeBoundBits {
			cfg.RefreshInterval = 10 * time.Second
		}
	}
	if cfg.SnapshotInterval <= 0 {
		cfg.SnapshotInterval = 250 * time.Millisecond
	}
	if cfg.Tag == "" {
		cfg.Tag = "/soloist/"
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := time.Now()
	m := &Miner{
		cfg:     cfg,
		log:     log,
		feed:    NewFeed(),
		snaps:   make(chan Snapshot, 1),
		events:  make(chan Event, 256),
		started: now,
		refetch: make(chan struct{}, 1),
		addCh:   make(chan Hasher, 16),
		// Extranonces start from the clock so that a restart does not
		// search header space it already searched.
		enBase:  uint64(now.UnixNano()) << 8,
		node:    NodeView{Host: cfg.NodeHost, Peers: -1, State: NodeConnecting},
		foundOn: map[chainhash.Hash]bool{},
	}
	for _, h := range cfg.Hashers {
		m.hashers = append(m.hashers, &hasherState{h: h})
	}
	b, err := newBests(cfg.DataDir, cfg.Network, now)
	if err != nil {
		return nil, err
	}
	m.best = b
	if cfg.DataDir != "" {
		j, err := OpenJournal(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		m.journal = j
	}
	return m, nil
}

// Snapshots delivers the latest snapshot (capacity 1, latest wins). It is
// closed when Run returns.
func (m *Miner) Snapshots() <-chan Snapshot { return m.snaps }

// Events delivers events; when the reader falls behind, events are counted
// in Snapshot.DroppedEvents instead. It is closed when Run returns.
func (m *Miner) Events() <-chan Event { return m.events }

// Pause stops handing out work; hashers go idle.
func (m *Miner) Pause() {
	if !m.paused.Swap(true) {
		m.feed.Publish(nil)
		m.emit(EventInfo, slog.LevelInfo, "mining paused")
	}
}

// Resume hands out work again.
func (m *Miner) Resume() {
	if m.paused.Swap(false) {
		m.emit(EventInfo, slog.LevelInfo, "mining resumed")
		m.mu.Lock()
		j := m.job
		m.mu.Unlock()
		if j != nil {
			m.publish(j.Template, false)
		}
	}
}

// SetCPUThreads changes the thread count of the first hasher that supports
// it and returns the count in effect (0 when none does).
func (m *Miner) SetCPUThreads(n int) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, hs := range m.hashers {
		if t, ok := hs.h.(Threaded); ok {
			return t.SetThreads(n)
		}
	}
	return 0
}

// CPUThreads returns the current thread count of the CPU hasher.
func (m *Miner) CPUThreads() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, hs := range m.hashers {
		if _, ok := hs.h.(Threaded); ok {
			return hs.h.Status().Threads
		}
	}
	return 0
}

// ResetAllTimeBest forgets the all-time best share (on disk too).
func (m *Miner) ResetAllTimeBest() {
	m.mu.Lock()
	err := m.best.resetAllTime(time.Now())
	m.mu.Unlock()
	if err != nil {
		m.emit(EventInfo, slog.LevelWarn, "could not reset the all-time best share", slog.String("err", err.Error()))
		return
	}
	m.emit(EventInfo, slog.LevelInfo, "all-time best share reset")
}

// AddHasher adds a hasher while the miner runs (a hot-plugged USB stick).
func (m *Miner) AddHasher(h Hasher) {
	select {
	case m.addCh <- h:
	default:
		m.emit(EventDevice, slog.LevelWarn, "too many devices added at once; ignored", slog.String("device", h.Name()))
	}
}

// emit sends an event without blocking and logs it.
func (m *Miner) emit(kind EventKind, level slog.Level, msg string, attrs ...slog.Attr) {
	e := Event{At: time.Now(), Kind: kind, Level: level, Message: msg, Attrs: attrs}
	m.log.LogAttrs(context.Background(), level, msg, append([]slog.Attr{slog.String("event", kind.String())}, attrs...)...)
	if level < slog.LevelInfo {
		return // details for the log file, not the event list
	}
	select {
	case m.events <- e:
	default:
		m.dropped.Add(1)
	}
}

// Run mines until ctx is done. It returns nil on cancellation, or an error
// when it cannot go on (wrong network, refused credentials, a template it
// cannot build blocks from).
func (m *Miner) Run(ctx context.Context) error {
	defer close(m.events)
	defer close(m.snaps)
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	sols := make(chan Solution, 256)
	var wg sync.WaitGroup
	start := func(h Hasher) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := h.Run(ctx, m.feed, sols); err != nil && ctx.Err() == nil {
				m.emit(EventDevice, slog.LevelError, "device stopped", slog.String("device", h.Name()), slog.String("err", err.Error()))
			}
		}()
	}
	for _, hs := range m.hashers {
		start(hs.h)
	}

	var fatal error
	var fatalOnce sync.Once
	fail := func(err error) {
		fatalOnce.Do(func() { fatal = err; cancel(err) })
	}

	// Blocks found are submitted on a context that outlives ctx by a grace
	// period, so a block found just before shutdown still reaches the node;
	// whatever does not is in the journal for the next start.
	subCtx, subCancel := context.WithCancel(context.WithoutCancel(ctx))
	var subs sync.WaitGroup

	wg.Add(3)
	go func() { defer wg.Done(); m.templateLoop(ctx, fail) }()
	go func() { defer wg.Done(); m.solutionLoop(ctx, sols, subCtx, &subs) }()
	go func() { defer wg.Done(); m.sampleLoop(ctx) }()

	for running := true; running; {
		select {
		case h := <-m.addCh:
			m.mu.Lock()
			m.hashers = append(m.hashers, &hasherState{h: h})
			m.mu.Unlock()
			m.emit(EventDevice, slog.LevelInfo, "device added", slog.String("device", h.Name()))
			start(h)
		case <-ctx.Done():
			running = false
		}
	}
	m.feed.Publish(nil)
	wg.Wait()
	done := make(chan struct{})
	go func() { subs.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		m.log.Warn("gave up waiting for block submissions; they are in the journal for the next start")
	}
	subCancel()
	if fatal != nil {
		return fatal
	}
	return nil
}

// publish builds a job from t and hands it to the hashers (unless paused).
func (m *Miner) publish(t *Template, clean bool) error {
	id := m.jobID.Add(1)
	j, err := NewJob(t, JobOptions{
		ID: id, Payout: m.cfg.Payout.Script, Tag: []byte(m.cfg.Tag), Clean: clean,
		Now: time.Now(), MinShareDifficulty: m.cfg.MinShareDifficulty, FixedTime: m.cfg.TimeBoundBits,
		ExtranonceStart: m.enBase + id<<32,
	})
	if err != nil {
		return err
	}
	w := j.NewWork(time.Now())
	m.mu.Lock()
	m.job = j
	m.tip = t.PrevHash // before hashers see the job: their solutions check it
	if clean {
		// A new tip: blocks we found on other parents no longer hold work
		// back (should the node return to such a parent, mine on it again).
		clear(m.foundOn)
		m.best.newBlock()
		if m.seenTip {
			m.node.LastBlockAt = j.Created
		}
		m.seenTip = true
		m.node.Height = t.Height - 1
	}
	m.tmpl = TemplateView{
		Height: t.Height, PrevHash: t.PrevHash, TxCount: len(t.Transactions), Fees: t.Fees(),
		Value: t.CoinbaseValue, Bits: t.Bits, Target: j.Target, FetchedAt: j.Created,
	}
	for i := range t.Transactions {
		m.tmpl.Weight += t.Transactions[i].Weight
	}
	sol := NewSolution(w, 0, "")
	m.work = workView(&sol, m.cfg.Tag, m.cfg.Payout)
	m.mu.Unlock()
	if !m.paused.Load() {
		m.feed.Publish(j)
	}
	return nil
}

// workView decodes a solution's header and coinbase for the learn view.
func workView(s *Solution, tag string, p Payout) WorkView {
	j := s.Work.Job
	hs, _ := HeightScript(j.Height)
	addr := ""
	if p.Address != nil {
		addr = p.Address.EncodeAddress()
	}
	return WorkView{
		Version: s.Version, PrevHash: j.PrevHash, MerkleRoot: s.Work.MerkleRoot, Time: s.NTime,
		Bits: j.Bits, Nonce: s.Nonce, Height: j.Height, HeightScript: hs,
		Extranonce: append([]byte(nil), s.Work.Extranonce[:]...), Tag: tag,
		PayoutScript: j.Payout, PayoutAddress: addr,
		PayoutValue: j.Template.CoinbaseValue, Commitment: j.Commitment, Coinbase: s.Work.Coinbase(),
	}
}
