package miner

import (
	"context"
	"errors"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Node is what the miner needs from a Bitcoin node. Implementations must be
// safe for concurrent use: a long-polling Template call runs at the same time
// as SubmitBlock and Info, and must not delay them. Every method returns when
// ctx is done.
type Node interface {
	// Info reports the node's chain, tip and sync state.
	Info(ctx context.Context) (NodeInfo, error)
	// Template fetches a block template (getblocktemplate with the segwit
	// rule). With a non-empty longPollID it waits, as BIP22 long polling
	// does, until the node has a newer template or its own timeout passes.
	Template(ctx context.Context, longPollID string) (*Template, error)
	// SubmitBlock submits a block in witness serialization and maps the
	// node's verdict to a SubmitResult. A transport failure is an error; a
	// verdict, even a rejection, is not.
	SubmitBlock(ctx context.Context, block []byte) (SubmitResult, error)
	// BlockStatus reports whether the node knows the block and whether it is
	// on the node's best chain.
	BlockStatus(ctx context.Context, hash chainhash.Hash) (BlockStatus, error)
}

// Errors a Node wraps so that the miner can tell what to do. Anything else is
// treated as a transient failure and retried with backoff.
var (
	// ErrUnreachable: the node did not answer (connection refused, timeout).
	// The miner says so, waits and retries.
	ErrUnreachable = errors.New("node unreachable")
	// ErrAuth: the node refused the credentials (HTTP 401/403). Fatal.
	ErrAuth = errors.New("node refused the rpc credentials")
	// ErrSyncing: the node is in initial block download. The miner waits.
	ErrSyncing = errors.New("node is syncing")
	// ErrNoPeers: a public-network node without peers. The miner waits.
	ErrNoPeers = errors.New("node has no peers")
	// ErrUnsupportedTemplate: the template cannot be mined by this program
	// (for example a mandatory rule it does not know). Fatal.
	ErrUnsupportedTemplate = errors.New("unsupported block template")
)

// NodeInfo is a node's view of its chain.
type NodeInfo struct {
	// Chain is the node's chain as a soloist network name: "mainnet",
	// "testnet3", "testnet4", "signet", "regtest", "simnet", or the demo's
	// own name.
	Chain         string
	Blocks        int64
	Headers       int64
	BestHash      chainhash.Hash
	Difficulty    float64
	NetworkHashPS float64
	// InitialDownload is true while the node is in initial block download.
	InitialDownload bool
	// Peers is the node's connection count, or -1 when unknown.
	Peers int
	// Agent names the node software when known (e.g. "/Satoshi:28.0.0/").
	Agent    string
	Warnings []string
}

// Template is a block template in the miner's terms. Hashes are in internal
// byte order (as in chainhash.Hash).
type Template struct {
	Version  int32
	Rules    []string // BIP9 rules; a "!" prefix marks a rule the miner must understand
	PrevHash chainhash.Hash
	Height   int64
	Bits     uint32
	// Target is the template's own target field (big-endian hex decoded),
	// nil when absent; the miner derives the target from Bits and compares.
	Target        []byte
	CurTime       int64
	MinTime       int64
	MaxTime       int64 // 0 when the node gives none
	CoinbaseValue int64
	Transactions  []TemplateTx
	// WitnessCommitment is the node's default_witness_commitment reduced to
	// the bare 32-byte commitment (Core sends a whole script, btcd the bare
	// hash), nil when absent. The miner computes its own and checks.
	WitnessCommitment []byte
	LongPollID        string
	Mutable           []string
	SigOpLimit        int64
	SizeLimit         int64
	WeightLimit       int64
	// CoinbaseAux is coinbaseaux.flags, decoded; usually empty.
	CoinbaseAux     []byte
	SignetChallenge []byte
}

// TemplateTx is one transaction of a template.
type TemplateTx struct {
	Data    []byte         // the transaction as the node serialized it (witness form)
	TxID    chainhash.Hash // the node's txid; the miner recomputes it from Data
	WTxID   chainhash.Hash // the node's hash (wtxid); zero when the node gives none
	Fee     int64
	SigOps  int64
	Weight  int64
	Depends []int
}

// Fees is the sum of the template's transaction fees in satoshis.
func (t *Template) Fees() int64 {
	var sum int64
	for i := range t.Transactions {
		sum += t.Transactions[i].Fee
	}
	return sum
}

// SubmitOutcome classifies a node's answer to submitblock.
type SubmitOutcome int

// The outcomes of submitblock. Accepted and Duplicate mean the node has the
// block; Inconclusive means it stored it without making it the tip (a lost
// race, or btcd's orphan); every other outcome is a rejection whose Reason
// holds the node's text.
const (
	SubmitAccepted          SubmitOutcome = iota // null
	SubmitDuplicate                              // "duplicate", btcd "already have block"
	SubmitInconclusive                           // "inconclusive"
	SubmitHighHash                               // "high-hash": not enough work
	SubmitBadMerkle                              // "bad-txnmrklroot"
	SubmitBadCoinbaseHeight                      // "bad-cb-height"
	SubmitBadCoinbaseValue                       // "bad-cb-amount"
	SubmitBadWitness                             // "bad-witness-*", "unexpected-witness"
	SubmitBadDifficulty                          // "bad-diffbits"
	SubmitBadTime                                // "time-too-old", "time-too-new", "time-timewarp-attack"
	SubmitStale                                  // "prev-blk-not-found", "bad-prevblk", "stale-*"
	SubmitInvalid                                // "duplicate-invalid" and other rule failures
	SubmitRejected                               // any other string
)

var outcomeNames = [...]string{
	"accepted", "duplicate", "inconclusive", "high-hash", "bad-merkle",
	"bad-cb-height", "bad-cb-amount", "bad-witness", "bad-diffbits",
	"bad-time", "stale", "invalid", "rejected",
}

// String returns a short stable name for the outcome.
func (o SubmitOutcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return "unknown"
	}
	return outcomeNames[o]
}

// Has reports whether the node holds the block after this outcome.
func (o SubmitOutcome) Has() bool {
	return o == SubmitAccepted || o == SubmitDuplicate || o == SubmitInconclusive
}

// SubmitResult is a node's verdict on a submitted block.
type SubmitResult struct {
	Outcome SubmitOutcome
	// Reason is the node's own string, verbatim ("" for null).
	Reason string
}

// BlockStatus is what a node says about one block hash.
type BlockStatus struct {
	Known         bool
	InBestChain   bool
	Height        int64
	Confirmations int64
}
