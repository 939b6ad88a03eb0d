package miner

import (
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Snapshot is an immutable picture of the miner, published a few times a
// second. Its slices are copies owned by the snapshot: readers may keep it
// as long as they like and must not modify it. Views compute every
// time-dependent figure from At and Started, never from the clock.
type Snapshot struct {
	At      time.Time
	Started time.Time
	Paused  bool

	Node     NodeView
	Template TemplateView
	// Work describes the header and coinbase most recently handed out, for
	// the learn view. Zero before the first job.
	Work WorkView

	Hashrate Rates
	// History is the total hashrate in H/s per 10-second bucket, oldest
	// first, at most 60 buckets (ten minutes).
	History     []float64
	TotalHashes uint64
	Devices     []DeviceView

	Best BestShares
	// Ladder counts the shares that reached each difficulty rung.
	Ladder []Rung
	// Shares is the number of shares (solutions) seen this session;
	// LastShareAt is when the latest arrived (zero before the first).
	Shares      uint64
	LastShareAt time.Time
	// MinShareDifficulty is the easiest share hashers report: shares below
	// it are never seen, so the ladder starts there.
	MinShareDifficulty float64
	// Blocks lists the latest blocks found this session (at most 100),
	// oldest first; BlocksFound counts them all and BlocksConfirmed those the
	// node confirmed on its best chain.
	Blocks          []FoundBlock
	BlocksFound     uint64
	BlocksConfirmed uint64

	DroppedEvents uint64
}

// NodeState is the miner's view of the node connection.
type NodeState int

// Node states.
const (
	NodeConnecting NodeState = iota
	NodeOK
	NodeDown    // unreachable; retrying
	NodeSyncing // initial block download; waiting
	NodeNoPeers // public network without peers; waiting
	NodeError   // answering, but not with work (see Err)
)

var nodeStateNames = [...]string{"connecting", "ok", "down", "syncing", "no peers", "error"}

// String returns the state's name.
func (s NodeState) String() string {
	if s < 0 || int(s) >= len(nodeStateNames) {
		return "unknown"
	}
	return nodeStateNames[s]
}

// NodeView is the node as the miner last saw it.
type NodeView struct {
	Host          string // host:port, never credentials
	Chain         string
	Height        int64 // the node's tip height
	Headers       int64 // headers the node knows (> Height while syncing)
	Agent         string
	Peers         int // -1 when unknown
	State         NodeState
	Err           string
	Difficulty    float64
	NetworkHashPS float64
	// Detection is how new blocks are noticed: "long poll" or "polling".
	Detection   string
	LastBlockAt time.Time // when the miner last saw the tip change
}

// TemplateView summarises the template being mined.
type TemplateView struct {
	Height    int64
	PrevHash  chainhash.Hash
	TxCount   int
	Fees      int64 // satoshis
	Value     int64 // coinbase value in satoshis (subsidy + fees)
	Bits      uint32
	Target    [32]byte
	Weight    int64 // sum of transaction weights
	FetchedAt time.Time
}

// WorkView is one header and coinbase, decoded for the learn view.
type WorkView struct {
	Version       int32
	PrevHash      chainhash.Hash
	MerkleRoot    chainhash.Hash
	Time          uint32
	Bits          uint32
	Nonce         uint32 // the nonce of the best share on this work, else 0
	Height        int64
	HeightScript  []byte
	Extranonce    []byte
	Tag           string
	PayoutScript  []byte
	PayoutAddress string
	PayoutValue   int64
	Commitment    []byte // witness commitment, nil when none
	Coinbase      []byte // the whole coinbase transaction
}

// Rates are hashrates in H/s.
type Rates struct {
	Now     float64 // about the last 5 s
	Min1    float64
	Min15   float64
	Session float64 // since start
}

// DeviceView is a hasher's status plus what the miner measured of it.
type DeviceView struct {
	DeviceStatus
	Rates  Rates
	Shares uint64 // valid solutions the miner accepted from it
	// Rejected counts solutions the miner refused (stale or not matching
	// their target).
	Rejected uint64
}

// Share is one solution with its difficulty.
type Share struct {
	Difficulty float64
	Hash       chainhash.Hash
	At         time.Time
	Height     int64
	Source     string
}

// BestShares holds the three named bests and a top list.
type BestShares struct {
	Session Share
	// Block is the best since the current tip; reset on every new block.
	Block Share
	// AllTime persists across restarts; AllTimeSince is when it was last
	// reset (or first recorded).
	AllTime      Share
	AllTimeSince time.Time
	// Top holds the ten best shares of the session, best first.
	Top []Share
}

// Rung is one step of the share ladder.
type Rung struct {
	Difficulty float64
	Count      uint64
}

// FoundBlock is a block the miner found and what became of it.
type FoundBlock struct {
	Height  int64
	Hash    chainhash.Hash
	At      time.Time
	Outcome SubmitOutcome
	Reason  string
	// Confirmed is true once the node reported the block on its best chain.
	Confirmed bool
	Pending   bool // submitted, verdict not yet known
}
