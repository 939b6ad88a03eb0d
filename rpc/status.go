package rpc

import (
	"context"
	"errors"
	"strings"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/soloist-miner/soloist/miner"
)

// BlockStatus asks getblockheader (verbose) about hash. An unknown block
// (-5) is Known=false without error. On Core a block off the best chain has
// confirmations -1; btcd answers an internal error "not in the main chain"
// instead, which also means known but not on the best chain. A block that
// claims confirmations is cross-checked with getblockhash(height) == hash,
// which is what decides InBestChain.
func (c *Client) BlockStatus(ctx context.Context, hash chainhash.Hash) (miner.BlockStatus, error) {
	var h struct {
		Confirmations *int64 `json:"confirmations"`
		Height        int64  `json:"height"`
	}
	err := c.callInto(ctx, &h, "getblockheader", hash.String(), true)
	switch {
	case isCode(err, codeInvalidAddress):
		return miner.BlockStatus{}, nil
	case isCode(err, codeInternal) && notInMainChain(err):
		return miner.BlockStatus{Known: true, Confirmations: -1}, nil
	case err != nil:
		return miner.BlockStatus{}, err
	}
	st := miner.BlockStatus{Known: true, Height: h.Height, Confirmations: -1}
	if h.Confirmations != nil {
		st.Confirmations = *h.Confirmations
	}
	if st.Confirmations < 1 {
		return st, nil
	}
	var at string
	err = c.callInto(ctx, &at, "getblockhash", h.Height)
	switch {
	case isCode(err, codeInvalidParameter) || isCode(err, codeInternal) || isCode(err, codeMisc):
		// Height out of range: the chain got shorter since the header call.
		st.Confirmations = -1
		return st, nil
	case err != nil:
		return st, err
	}
	st.InBestChain = at == hash.String()
	if !st.InBestChain {
		st.Confirmations = -1
	}
	return st, nil
}

// notInMainChain recognises btcd's answer for a side-chain block.
func notInMainChain(err error) bool {
	var ne *NodeError
	return errors.As(err, &ne) && strings.Contains(ne.Message, "not in the main chain")
}
