package rpc

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/soloist-miner/soloist/miner"
)

// Template fetches a block template. With a non-empty longPollID the request
// carries it and runs on the long-poll transport, bounded by ctx only;
// otherwise it is an ordinary call bounded by ctx and Config.CallTimeout.
func (c *Client) Template(ctx context.Context, longPollID string) (*miner.Template, error) {
	req := templateRequest{Rules: c.rules(), LongPollID: longPollID}
	var t *miner.Template
	if longPollID != "" {
		var r gbtReply
		err := c.poll.call(ctx, &r, "getblocktemplate", req)
		switch te := templateDecodeError(err); {
		case errors.Is(err, errNullResult):
			err = fmt.Errorf("%w: the node returned no template", miner.ErrUnsupportedTemplate)
		case te != nil:
			err = te
		case err != nil:
			return nil, err
		default:
			t, err = r.template()
		}
		if err != nil {
			return nil, fmt.Errorf("getblocktemplate: %w", err)
		}
		return t, nil
	}
	raw, err := c.general.call(ctx, c.timeout, "getblocktemplate", req)
	if err != nil {
		return nil, err
	}
	if t, err = ParseTemplate(raw); err != nil {
		return nil, fmt.Errorf("getblocktemplate: %w", err)
	}
	return t, nil
}

// templateDecodeError turns a JSON error that means "a field has the wrong
// shape" into one wrapping miner.ErrUnsupportedTemplate; other errors
// (syntax, transport) give nil.
func templateDecodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var hexErr *hexDataError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &typeErr):
		return fmt.Errorf("%w: field %s: %v", miner.ErrUnsupportedTemplate, typeErr.Field, typeErr)
	case errors.As(err, &hexErr):
		return fmt.Errorf("%w: %v", miner.ErrUnsupportedTemplate, hexErr)
	}
	return nil
}

// rules are the rules the template request declares support for.
func (c *Client) rules() []string {
	if c.cfg.Network == "signet" {
		return []string{"segwit", "signet"}
	}
	return []string{"segwit"}
}

// templateRequest is getblocktemplate's one parameter.
type templateRequest struct {
	Rules      []string `json:"rules"`
	LongPollID string   `json:"longpollid,omitempty"`
}

// gbtReply is getblocktemplate's result in both Core's and btcd's shape.
// Pointers mark fields whose absence is an error.
type gbtReply struct {
	Version                  *int64            `json:"version"`
	Rules                    []string          `json:"rules"`
	VBAvailable              map[string]int64  `json:"vbavailable"`
	VBRequired               int64             `json:"vbrequired"`
	PreviousBlockHash        *string           `json:"previousblockhash"`
	Transactions             []gbtTx           `json:"transactions"`
	CoinbaseAux              map[string]string `json:"coinbaseaux"`
	CoinbaseValue            *int64            `json:"coinbasevalue"`
	LongPollID               string            `json:"longpollid"`
	Target                   string            `json:"target"`
	MinTime                  int64             `json:"mintime"`
	MaxTime                  int64             `json:"maxtime"`
	Mutable                  []string          `json:"mutable"`
	SigOpLimit               int64             `json:"sigoplimit"`
	SizeLimit                int64             `json:"sizelimit"`
	WeightLimit              int64             `json:"weightlimit"`
	CurTime                  *int64            `json:"curtime"`
	Bits                     *string           `json:"bits"`
	Height                   *int64            `json:"height"`
	SignetChallenge          string            `json:"signet_challenge"`
	DefaultWitnessCommitment string            `json:"default_witness_commitment"`
}

type gbtTx struct {
	Data    hexData `json:"data"`
	TxID    string  `json:"txid"`
	Hash    string  `json:"hash"`
	Depends []int   `json:"depends"`
	Fee     int64   `json:"fee"`
	SigOps  int64   `json:"sigops"`
	Weight  int64   `json:"weight"`
}

// witnessCommitmentPrefix starts a BIP141 commitment output script:
// OP_RETURN, push 36, aa21a9ed.
var witnessCommitmentPrefix = []byte{0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed}

// ParseTemplate decodes a getblocktemplate result from Bitcoin Core, Knots or
// btcd. Hashes come out in internal byte order, bits as an integer (btcd does
// not zero-pad it), and default_witness_commitment as the bare 32 bytes
// whether the node sent Core's whole output script or btcd's bare hash. A
// JSON syntax error is a plain error; a template with a missing or malformed
// field wraps miner.ErrUnsupportedTemplate.
func ParseTemplate(raw []byte) (*miner.Template, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, fmt.Errorf("%w: the node returned no template", miner.ErrUnsupportedTemplate)
	}
	var r gbtReply
	if err := json.Unmarshal(raw, &r); err != nil {
		if te := templateDecodeError(err); te != nil {
			return nil, te
		}
		return nil, fmt.Errorf("decode template: %w", err)
	}
	return r.template()
}

// template checks r and converts it.
func (r *gbtReply) template() (*miner.Template, error) {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", miner.ErrUnsupportedTemplate, field, fmt.Sprintf(format, args...))
	}
	switch {
	case r.Version == nil:
		return nil, bad("version", "missing")
	case r.PreviousBlockHash == nil:
		return nil, bad("previousblockhash", "missing")
	case r.CoinbaseValue == nil:
		return nil, bad("coinbasevalue", "missing (soloist builds its own coinbase and needs the value)")
	case r.CurTime == nil:
		return nil, bad("curtime", "missing")
	case r.Bits == nil:
		return nil, bad("bits", "missing")
	case r.Height == nil:
		return nil, bad("height", "missing")
	}
	if *r.Version < math.MinInt32 || *r.Version > math.MaxUint32 {
		return nil, bad("version", "%d is out of range", *r.Version)
	}
	t := &miner.Template{
		Version:       int32(uint32(*r.Version)),
		Rules:         r.Rules,
		Height:        *r.Height,
		CurTime:       *r.CurTime,
		MinTime:       r.MinTime,
		MaxTime:       r.MaxTime,
		CoinbaseValue: *r.CoinbaseValue,
		LongPollID:    r.LongPollID,
		Mutable:       r.Mutable,
		SigOpLimit:    r.SigOpLimit,
		SizeLimit:     r.SizeLimit,
		WeightLimit:   r.WeightLimit,
	}
	if t.Height < 1 {
		return nil, bad("height", "%d is not a block height", t.Height)
	}
	if t.CoinbaseValue < 0 {
		return nil, bad("coinbasevalue", "%d is negative", t.CoinbaseValue)
	}
	prev, err := parseHash(*r.PreviousBlockHash)
	if err != nil {
		return nil, bad("previousblockhash", "%v", err)
	}
	t.PrevHash = prev
	bits, err := strconv.ParseUint(strings.TrimPrefix(*r.Bits, "0x"), 16, 32)
	if err != nil {
		return nil, bad("bits", "%q is not a 32-bit hex number", *r.Bits)
	}
	t.Bits = uint32(bits)
	if r.Target != "" {
		if t.Target, err = parseTarget(r.Target); err != nil {
			return nil, bad("target", "%v", err)
		}
	}
	if flags := r.CoinbaseAux["flags"]; flags != "" {
		if t.CoinbaseAux, err = hex.DecodeString(flags); err != nil {
			return nil, bad("coinbaseaux.flags", "not hex")
		}
	}
	if r.SignetChallenge != "" {
		if t.SignetChallenge, err = hex.DecodeString(r.SignetChallenge); err != nil {
			return nil, bad("signet_challenge", "not hex")
		}
	}
	if r.DefaultWitnessCommitment != "" {
		if t.WitnessCommitment, err = parseWitnessCommitment(r.DefaultWitnessCommitment); err != nil {
			return nil, bad("default_witness_commitment", "%v", err)
		}
	}
	t.Transactions = make([]miner.TemplateTx, len(r.Transactions))
	for i := range r.Transactions {
		if err := parseTx(&r.Transactions[i], &t.Transactions[i], len(r.Transactions)); err != nil {
			return nil, bad(fmt.Sprintf("transactions[%d]", i), "%v", err)
		}
	}
	return t, nil
}

// parseTx fills out from in; n is the template's transaction count.
func parseTx(in *gbtTx, out *miner.TemplateTx, n int) error {
	if len(in.Data) == 0 {
		return fmt.Errorf("no transaction data")
	}
	data := []byte(in.Data)
	out.Data = data
	var err error
	if in.TxID != "" {
		if out.TxID, err = parseHash(in.TxID); err != nil {
			return fmt.Errorf("txid: %v", err)
		}
	} else {
		// Very old nodes sent only "hash" (then the txid). Compute it.
		var tx wire.MsgTx
		if err := tx.Deserialize(bytes.NewReader(data)); err != nil {
			return fmt.Errorf("no txid, and data does not decode: %v", err)
		}
		out.TxID = tx.TxHash()
	}
	if in.Hash != "" {
		if out.WTxID, err = parseHash(in.Hash); err != nil {
			return fmt.Errorf("hash: %v", err)
		}
	}
	for _, d := range in.Depends {
		if d < 1 || d > n {
			return fmt.Errorf("depends on transaction %d of %d", d, n)
		}
	}
	out.Depends = in.Depends
	out.Fee, out.SigOps, out.Weight = in.Fee, in.SigOps, in.Weight
	if out.Fee < 0 {
		return fmt.Errorf("negative fee %d", out.Fee)
	}
	return nil
}

// parseHash decodes a 64-hex display-order hash into internal order.
func parseHash(s string) (chainhash.Hash, error) {
	if len(s) != 2*chainhash.HashSize {
		return chainhash.Hash{}, fmt.Errorf("%q is not a 64-hex hash", s)
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return chainhash.Hash{}, fmt.Errorf("%q is not a 64-hex hash", s)
	}
	return *h, nil
}

// parseTarget decodes the template's big-endian target into 32 bytes; btcd
// and Core zero-pad it to 64 hex digits, but shorter text is accepted.
func parseTarget(s string) ([]byte, error) {
	n, ok := new(big.Int).SetString(s, 16)
	if !ok || n.Sign() < 0 || n.BitLen() > 256 || strings.ContainsAny(s, "+-xX_") {
		return nil, fmt.Errorf("%q is not a 256-bit hex number", s)
	}
	return n.FillBytes(make([]byte, 32)), nil
}

// parseWitnessCommitment accepts Core's whole commitment script
// (6a24aa21a9ed + 32 bytes, possibly followed by more data) or btcd's bare
// 32-byte commitment, and returns the 32 bytes.
func parseWitnessCommitment(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not hex")
	}
	switch {
	case len(b) == 32:
		return b, nil
	case len(b) >= 38 && bytes.HasPrefix(b, witnessCommitmentPrefix):
		return b[6:38], nil
	}
	return nil, fmt.Errorf("%d bytes is neither a commitment script (6a24aa21a9ed…) nor a 32-byte commitment", len(b))
}

// hexData is a JSON hex string decoded straight from the reply bytes,
// without the intermediate Go string: template transactions are megabytes.
type hexData []byte

// UnmarshalJSON decodes a JSON string of hex digits.
func (h *hexData) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*h = nil
		return nil
	}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return &hexDataError{"is not a string"}
	}
	inner := b[1 : len(b)-1]
	if bytes.IndexByte(inner, '\\') >= 0 {
		// Escaped text: take the slow path.
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return &hexDataError{"is not a valid string"}
		}
		inner = []byte(s)
	}
	out := make([]byte, hex.DecodedLen(len(inner)))
	if _, err := hex.Decode(out, inner); err != nil {
		return &hexDataError{"is not hex"}
	}
	*h = out
	return nil
}

// hexDataError is a transaction's data field that is not a hex string.
type hexDataError struct{ what string }

func (e *hexDataError) Error() string { return "transactions: data " + e.what }
