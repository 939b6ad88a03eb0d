package miner

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// VersionRollingMask is the BIP320 mask of header version bits that hashers
// may roll.
const VersionRollingMask uint32 = 0x1fffe000

// knownRules are the BIP9 rules this program can mine under. A template that
// marks any other rule mandatory ("!" prefix) is refused.
var knownRules = map[string]bool{"csv": true, "segwit": true, "taproot": true, "signet": true}

// Job is the immutable unit of work derived from one template: everything a
// hasher needs except the extranonce, which each Work fills in. All fields
// are read-only after NewJob.
type Job struct {
	ID       uint64
	Template *Template
	Height   int64
	PrevHash chainhash.Hash
	Version  int32
	// VersionMask are the version bits hashers may roll (BIP320), 0 when none.
	VersionMask uint32
	Bits        uint32
	Target      [32]byte // block target from Bits
	ShareTarget [32]byte // easiest hash the miner wants reported (never harder than Target)
	MinTime     uint32
	MaxTime     uint32
	// Clean is true when the job builds on a different tip than the job
	// before it: older work can no longer become a block.
	Clean   bool
	Created time.Time
	// Payout is the script output 0 of every coinbase pays CoinbaseValue to.
	Payout []byte
	// Tag is the short text in every coinbase scriptSig.
	Tag []byte
	// Commitment is the witness commitment in the coinbase, nil when none.
	Commitment []byte

	cb        coinbaseParts
	branch    []chainhash.Hash
	txs       [][]byte // the template's transactions, as the node sent them
	timeShift int64    // template curtime minus local clock when fetched
	nextEN    atomic.Uint64
	stale     chan struct{}
	closed    atomic.Bool
}

// JobOptions are the miner's choices for NewJob.
type JobOptions struct {
	ID     uint64
	Payout []byte
	Tag    []byte
	Clean  bool
	Now    time.Time // local time the template was fetched
	// MinShareDifficulty is the easiest share the miner wants reported; the
	// job's ShareTarget is the easier of it and the block target.
	MinShareDifficulty float64
	// FixedTime keeps the header time at the template's curtime instead of
	// following the clock: on testnet3/testnet4 the difficulty depends on
	// the block time (the 20-minute rule), so a time rolled past the point
	// where the node computed bits would make the block invalid.
	FixedTime bool
	// ExtranonceStart is the first extranonce handed out (so that a restart
	// or a second job of one template does not repeat header space).
	ExtranonceStart uint64
}

// NewJob checks a template and builds a job from it: coinbase paying
// CoinbaseValue to opt.Payout, witness commitment when the block needs one
// (checked against the node's own), and the coinbase merkle branch.
func NewJob(t *Template, opt JobOptions) (*Job, error) {
	for _, r := range t.Rules {
		if strings.HasPrefix(r, "!") && !knownRules[r[1:]] {
			return nil, fmt.Errorf("%w: the node requires rule %q, which this version of soloist does not know; upgrade soloist", ErrUnsupportedTemplate, r[1:])
		}
	}
	if len(opt.Payout) == 0 {
		return nil, fmt.Errorf("no payout script")
	}
	if t.CoinbaseValue <= 0 {
		return nil, fmt.Errorf("%w: template has no coinbase value", ErrUnsupportedTemplate)
	}
	if t.Height <= 0 {
		return nil, fmt.Errorf("%w: template height %d", ErrUnsupportedTemplate, t.Height)
	}
	target := BitsToTarget(t.Bits)
	if len(t.Target) == 32 {
		var tt [32]byte
		for i := range tt {
			tt[i] = t.Target[31-i]
		}
		if tt != target {
			return nil, fmt.Errorf("%w: template target %x does not match its bits %08x", ErrUnsupportedTemplate, t.Target, t.Bits)
		}
	}
	txids := make([]chainhash.Hash, len(t.Transactions))
	wtxids := make([]chainhash.Hash, len(t.Transactions))
	txs := make([][]byte, len(t.Transactions))
	hasWitness := false
	for i := range t.Transactions {
		tt := &t.Transactions[i]
		var tx wire.MsgTx
		if err := tx.Deserialize(bytes.NewReader(tt.Data)); err != nil {
			return nil, fmt.Errorf("%w: transaction %d does not decode: %v", ErrUnsupportedTemplate, i, err)
		}
		txids[i] = tx.TxHash()
		wtxids[i] = tx.WitnessHash()
		if txids[i] != tt.TxID {
			return nil, fmt.Errorf("%w: transaction %d: node says txid %s, data hashes to %s", ErrUnsupportedTemplate, i, tt.TxID, txids[i])
		}
		if tx.HasWitness() {
			hasWitness = true
		}
		txs[i] = tt.Data
	}
	var commitment []byte
	if hasWitness || t.WitnessCommitment != nil || hasRule(t.Rules, "segwit") {
		c := WitnessCommitment(wtxids, [32]byte{})
		if t.WitnessCommitment != nil && !bytes.Equal(t.WitnessCommitment, c[:]) {
			return nil, fmt.Errorf("%w: node's witness commitment %x differs from the computed %x", ErrUnsupportedTemplate, t.WitnessCommitment, c[:])
		}
		commitment = c[:]
	}
	cb, err := buildCoinbase(t.Height, opt.Payout, t.CoinbaseValue, opt.Tag, commitment)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnsupportedTemplate, err)
	}
	maxTime := t.MaxTime
	if maxTime == 0 {
		maxTime = t.CurTime + 2*60*60 - 5*60
	}
	if opt.FixedTime && t.CurTime >= t.MinTime && t.CurTime < maxTime {
		maxTime = t.CurTime
	}
	if t.MinTime > maxTime {
		return nil, fmt.Errorf("%w: mintime %d after maxtime %d", ErrUnsupportedTemplate, t.MinTime, maxTime)
	}
	mask := VersionRollingMask &^ uint32(t.Version)
	if t.Version < 0x20000000 || uint32(t.Version)>>29 != 1 {
		mask = 0 // not a BIP9 version: do not roll
	}
	j := &Job{
		ID:          opt.ID,
		Template:    t,
		Height:      t.Height,
		PrevHash:    t.PrevHash,
		Version:     t.Version,
		VersionMask: mask,
		Bits:        t.Bits,
		Target:      target,
		ShareTarget: easier(target, DifficultyToTarget(opt.MinShareDifficulty)),
		MinTime:     uint32(t.MinTime),
		MaxTime:     uint32(maxTime),
		Clean:       opt.Clean,
		Created:     opt.Now,
		Payout:      append([]byte(nil), opt.Payout...),
		Tag:         append([]byte(nil), opt.Tag...),
		Commitment:  commitment,
		cb:          cb,
		branch:      MerkleBranch(txids),
		txs:         txs,
		timeShift:   t.CurTime - opt.Now.Unix(),
		stale:       make(chan struct{}),
	}
	if opt.MinShareDifficulty <= 0 {
		j.ShareTarget = target
	}
	j.nextEN.Store(opt.ExtranonceStart)
	return j, nil
}

func hasRule(rules []string, name string) bool {
	for _, r := range rules {
		if strings.TrimPrefix(r, "!") == name {
			return true
		}
	}
	return false
}

// Stale is closed when a newer job supersedes this one.
func (j *Job) Stale() <-chan struct{} { return j.stale }

// IsStale reports whether the job has been superseded.
func (j *Job) IsStale() bool { return j.closed.Load() }

func (j *Job) markStale() {
	if j.closed.CompareAndSwap(false, true) {
		close(j.stale)
	}
}

// Time returns the header time to use at local time now: the node's clock,
// kept within the template's bounds.
func (j *Job) Time(now time.Time) uint32 {
	t := now.Unix() + j.timeShift
	if t < int64(j.MinTime) {
		t = int64(j.MinTime)
	}
	if t > int64(j.MaxTime) {
		t = int64(j.MaxTime)
	}
	return uint32(t)
}

// NewWork returns work with the job's next unused extranonce, so that every
// caller searches a disjoint space. Safe for concurrent use.
func (j *Job) NewWork(now time.Time) *Work {
	var en [ExtranonceSize]byte
	binary.LittleEndian.PutUint64(en[:], j.nextEN.Add(1)-1)
	w, _ := j.WorkFor(en[:], j.Time(now))
	return w
}

// WorkFor returns work for a given extranonce and header time (a Stratum
// worker's extranonce1 ‖ extranonce2).
func (j *Job) WorkFor(extranonce []byte, ntime uint32) (*Work, error) {
	if len(extranonce) != ExtranonceSize {
		return nil, fmt.Errorf("extranonce of %d bytes, want %d", len(extranonce), ExtranonceSize)
	}
	w := &Work{Job: j, Target: j.ShareTarget}
	copy(w.Extranonce[:], extranonce)
	txid := chainhash.DoubleHashH(j.cb.legacy(extranonce))
	w.MerkleRoot = RootFromBranch(txid, j.branch)
	binary.LittleEndian.PutUint32(w.Header[0:], uint32(j.Version))
	copy(w.Header[4:36], j.PrevHash[:])
	copy(w.Header[36:68], w.MerkleRoot[:])
	binary.LittleEndian.PutUint32(w.Header[68:], ntime)
	binary.LittleEndian.PutUint32(w.Header[72:], j.Bits)
	return w, nil
}

// Work is a job with its extranonce fixed: an 80-byte header whose nonce,
// and within the job's bounds version bits and time, a hasher varies.
type Work struct {
	Job        *Job
	Extranonce [ExtranonceSize]byte
	MerkleRoot chainhash.Hash
	// Header is the 80-byte header with a zero nonce.
	Header [80]byte
	// Target is the easiest hash the hasher should report (the job's
	// ShareTarget).
	Target [32]byte
}

// NTime is the header time of the work.
func (w *Work) NTime() uint32 { return binary.LittleEndian.Uint32(w.Header[68:]) }

// HeaderFor returns the header with the given nonce, version and time.
func (w *Work) HeaderFor(nonce uint32, version int32, ntime uint32) [80]byte {
	h := w.Header
	binary.LittleEndian.PutUint32(h[0:], uint32(version))
	binary.LittleEndian.PutUint32(h[68:], ntime)
	binary.LittleEndian.PutUint32(h[76:], nonce)
	return h
}

// Block serializes the full block (witness serialization) for a header.
func (w *Work) Block(header [80]byte) []byte {
	var b bytes.Buffer
	b.Write(header[:])
	wire.WriteVarInt(&b, 0, uint64(len(w.Job.txs)+1))
	b.Write(w.Job.cb.full(w.Extranonce[:]))
	for _, tx := range w.Job.txs {
		b.Write(tx)
	}
	return b.Bytes()
}

// Coinbase returns the coinbase transaction as it goes into the block.
func (w *Work) Coinbase() []byte { return w.Job.cb.full(w.Extranonce[:]) }

// Solution is a nonce a hasher reports for a work.
type Solution struct {
	Work    *Work
	Nonce   uint32
	Version int32  // header version hashed (the job's unless rolled)
	NTime   uint32 // header time hashed
	// Target is the target the device checked the nonce against (the work's,
	// or a USB chip's ticket target). A hash above it is a hardware error.
	Target [32]byte
	Source string // Hasher.Name
}

// NewSolution is a solution for w's own version and time.
func NewSolution(w *Work, nonce uint32, source string) Solution {
	return Solution{Work: w, Nonce: nonce, Version: w.Job.Version, NTime: w.NTime(), Target: w.Target, Source: source}
}

// Header returns the solution's 80-byte header.
func (s *Solution) Header() [80]byte { return s.Work.HeaderFor(s.Nonce, s.Version, s.NTime) }

// Hash returns the double SHA-256 of the solution's header.
func (s *Solution) Hash() chainhash.Hash {
	h := s.Header()
	return chainhash.DoubleHashH(h[:])
}

// IsBlock reports whether the solution's hash meets the block target.
func (s *Solution) IsBlock() bool {
	h := s.Hash()
	return MeetsTarget(&h, &s.Work.Job.Target)
}
