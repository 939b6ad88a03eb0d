package demo

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
)

// ChainName is the network name the demo node reports as "chain" in
// getblockchaininfo and getmininginfo, and the Name of its chaincfg.Params.
const ChainName = "soloistdemo"

// Bech32HRP is the human-readable part of the demo network's segwit
// addresses ("sdemo1q…" for P2WPKH, "sdemo1p…" for P2TR).
const Bech32HRP = "sdemo"

// NetMagic is the demo network's message start bytes. It differs from every
// network btcd registers, so chaincfg.Register accepts it.
const NetMagic wire.BitcoinNet = 0xd3a0f1c5

// DefaultTargetSpacing is the mean block interval the demo's difficulty
// retargeting aims for when Config.TargetSpacing is zero.
const DefaultTargetSpacing = 30 * time.Second

// BlocksPerRetarget is the length of the retarget window: the difficulty is
// recomputed at every height that is a multiple of it.
const BlocksPerRetarget = 10

// Retarget design (see doc.go): btcd measures BlocksPerRetarget-1 intervals
// against a timespan of BlocksPerRetarget target intervals and a short noisy
// window biases the mean upwards, while the safety valve cuts long waits
// short; TargetTimePerBlock = 9/10 of the wanted mean interval gives that
// mean in simulation. ReduceMinDifficulty is the safety valve: a block whose
// time is more than minDiffFactor wanted intervals after its parent may (and
// must) use the easiest difficulty.
const (
	spacingNum    = 9
	spacingDen    = 10
	minDiffFactor = 6
)

// registerOnce guards chaincfg.Register, which writes chaincfg's
// process-wide registry of network prefixes and fails when called twice for
// the same network magic. It is the only package-level state.
var registerOnce sync.Once

// registerNet registers the demo network's address prefixes with chaincfg so
// that btcutil.DecodeAddress accepts "sdemo1…" addresses with the demo params.
func registerNet(p *chaincfg.Params) {
	registerOnce.Do(func() {
		reg := *p
		// Register fails only on a duplicate magic, which NetMagic is not;
		// a failure leaves bech32 decoding unavailable, not the node broken.
		_ = chaincfg.Register(&reg)
	})
}

// chainTiming holds the timing parameters derived from a wanted mean block
// interval.
type chainTiming struct {
	targetPerBlock time.Duration // chaincfg TargetTimePerBlock
	timespan       time.Duration // chaincfg TargetTimespan
	minDiffAfter   time.Duration // chaincfg MinDiffReductionTime
}

// timingFor derives the chain timing for the wanted mean interval spacing.
// btcd computes in whole seconds, so the per-block target is rounded to a
// whole number of seconds, at least one.
func timingFor(spacing time.Duration) chainTiming {
	per := (spacing * spacingNum / spacingDen).Round(time.Second)
	if per < time.Second {
		per = time.Second
	}
	return chainTiming{
		targetPerBlock: per,
		timespan:       per * BlocksPerRetarget,
		minDiffAfter:   (spacing * minDiffFactor).Round(time.Second),
	}
}

// newParams builds the chain parameters of one demo run: a value copy of
// btcd's regtest parameters with retargeting switched on, BIP34/65/66 from
// height 1, segwit, CSV and taproot active from height 3 without signalling,
// and a fresh genesis block stamped genesisTime.
func newParams(spacing time.Duration, genesisTime time.Time) (*chaincfg.Params, error) {
	t := timingFor(spacing)
	p := chaincfg.RegressionNetParams
	p.Name = ChainName
	p.Net = NetMagic
	p.DefaultPort = "0"
	p.DNSSeeds = nil
	p.Checkpoints = nil
	p.PoWNoRetargeting = false
	p.ReduceMinDifficulty = true
	p.MinDiffReductionTime = t.minDiffAfter
	p.TargetTimePerBlock = t.targetPerBlock
	p.TargetTimespan = t.timespan
	p.RetargetAdjustmentFactor = 4
	p.CoinbaseMaturity = 10
	p.SubsidyReductionInterval = 210000
	p.BIP0034Height = 1
	p.BIP0065Height = 1
	p.BIP0066Height = 1
	p.GenerateSupported = false
	p.RuleChangeActivationThreshold = 0
	p.MinerConfirmationWindow = 1
	p.Bech32HRPSegwit = Bech32HRP
	for i := range p.Deployments {
		d := &p.Deployments[i]
		d.CustomActivationThreshold = 0
		d.MinActivationHeight = 0
		// Fresh starter and ender values: blockchain.New binds them to
		// its chain, so sharing regtest's would tie chains together.
		d.DeploymentStarter = chaincfg.NewMedianTimeDeploymentStarter(time.Time{})
		d.DeploymentEnder = chaincfg.NewMedianTimeDeploymentEnder(time.Time{})
	}

	genesis, err := newGenesis(genesisTime, p.PowLimit, p.PowLimitBits)
	if err != nil {
		return nil, err
	}
	hash := genesis.BlockHash()
	p.GenesisBlock = genesis
	p.GenesisHash = &hash
	return &p, nil
}

// newGenesis copies regtest's genesis block, restamps it and solves it at the
// easiest difficulty.
func newGenesis(ts time.Time, powLimit *big.Int, bits uint32) (*wire.MsgBlock, error) {
	src := chaincfg.RegressionNetParams.GenesisBlock
	g := &wire.MsgBlock{Header: src.Header}
	for _, tx := range src.Transactions {
		g.Transactions = append(g.Transactions, tx.Copy())
	}
	g.Header.Timestamp = time.Unix(ts.Unix(), 0)
	g.Header.Bits = bits
	if !solveHeader(&g.Header, powLimit) {
		return nil, errors.New("demo: could not solve the genesis block")
	}
	return g, nil
}

// solveHeader grinds the nonce of h until its hash meets target, trying at
// most 2^32 nonces. It is only used at trivial difficulties.
func solveHeader(h *wire.BlockHeader, target *big.Int) bool {
	for nonce := uint64(0); nonce <= 0xffffffff; nonce++ {
		h.Nonce = uint32(nonce)
		hash := h.BlockHash()
		if blockchain.HashToBig(&hash).Cmp(target) <= 0 {
			return true
		}
	}
	return false
}

// demoPayoutKeySeed is hashed into the private key behind DemoAddress, so the
// demo payout address is the same on every run. Nobody spends from it.
const demoPayoutKeySeed = "soloist demo payout address"

// demoAddress returns the fixed P2WPKH payout address for users who give none.
func demoAddress(p *chaincfg.Params) (btcutil.Address, error) {
	seed := sha256.Sum256([]byte(demoPayoutKeySeed))
	_, pub := btcec.PrivKeyFromBytes(seed[:])
	addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), p)
	if err != nil {
		return nil, fmt.Errorf("demo: payout address: %w", err)
	}
	return addr, nil
}
