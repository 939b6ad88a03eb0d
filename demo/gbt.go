package demo

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// templateRequest is getblocktemplate's "template_request" object.
type templateRequest struct {
	Mode         string   `json:"mode"`
	Rules        []string `json:"rules"`
	Capabilities []string `json:"capabilities"`
	LongPollID   *string  `json:"longpollid"`
	Data         *string  `json:"data"`
}

func (n *Node) rpcGetBlockTemplate(ctx context.Context, args []json.RawMessage) (any, *rpcError) {
	var req templateRequest
	if argPresent(args, 0) {
		if err := json.Unmarshal(args[0], &req); err != nil {
			return nil, errType("JSON value of template_request is not of expected type object")
		}
	}
	switch req.Mode {
	case "", "template":
	case "proposal":
		if req.Data == nil {
			return nil, errType("Missing data String key for proposal")
		}
		msg, derr := decodeBlockHex(*req.Data)
		if derr != nil {
			return nil, derr
		}
		return n.checkProposal(msg), nil
	default:
		return nil, errParam("Invalid mode")
	}
	segwit := false
	for _, r := range req.Rules {
		if r == "segwit" {
			segwit = true
		}
	}
	if !segwit {
		return nil, errParam(`getblocktemplate must be called with the segwit rule set (call with {"rules": ["segwit"]})`)
	}
	if req.LongPollID != nil {
		if rerr := n.waitLongPoll(ctx, *req.LongPollID); rerr != nil {
			return nil, rerr
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed() {
		return nil, errShuttingDown
	}
	t, err := n.templateLocked()
	if err != nil {
		return nil, &rpcError{Code: codeMisc, Message: err.Error()}
	}
	res, err := t.result()
	if err != nil {
		return nil, &rpcError{Code: codeMisc, Message: err.Error()}
	}
	return res, nil
}

// parseLongPollID splits a long-poll id into the watched tip and the
// mempool/phase counter. ok is false for an id this node did not issue.
func parseLongPollID(id string) (tip chainhash.Hash, seq uint64, ok bool) {
	if len(id) <= 2*chainhash.HashSize || len(id) > 2*chainhash.HashSize+20 {
		return tip, 0, false
	}
	h, err := chainhash.NewHashFromStr(id[:2*chainhash.HashSize])
	if err != nil {
		return tip, 0, false
	}
	seq, err = strconv.ParseUint(id[2*chainhash.HashSize:], 10, 64)
	if err != nil {
		return tip, 0, false
	}
	return *h, seq, true
}

// waitLongPoll blocks until the template for longpollid is outdated: at once
// for a new tip or when the easiest difficulty became allowed, after
// LongPollTxDelay (counted from the call) when only the mempool changed, and
// after LongPollTimeout in any case. An unknown id returns at once.
func (n *Node) waitLongPoll(ctx context.Context, id string) *rpcError {
	tip, seq, ok := parseLongPollID(id)
	if !ok {
		return nil
	}
	start := time.Now()
	timeout := time.NewTimer(n.cfg.LongPollTimeout)
	defer timeout.Stop()
	for {
		n.mu.Lock()
		best := n.chain.BestSnapshot().Hash
		cur, phase, changed := n.seq, n.phaseSeq, n.changed
		n.mu.Unlock()
		if best != tip || (phase != 0 && seq < phase) {
			return nil
		}
		var txDelay <-chan time.Time
		if seq != cur {
			left := n.cfg.LongPollTxDelay - time.Since(start)
			if left <= 0 {
				return nil
			}
			t := time.NewTimer(left)
			defer t.Stop()
			txDelay = t.C
		}
		select {
		case <-changed:
		case <-txDelay:
			return nil
		case <-timeout.C:
			return nil
		case <-ctx.Done():
			return &rpcError{Code: codeMisc, Message: "request cancelled"}
		case <-n.done:
			return errShuttingDown
		}
	}
}

func (n *Node) rpcSubmitBlock(_ context.Context, args []json.RawMessage) (any, *rpcError) {
	s, rerr := argString(args, 0, "hexdata")
	if rerr != nil {
		return nil, rerr
	}
	msg, rerr := decodeBlockHex(s)
	if rerr != nil {
		return nil, rerr
	}
	reason, err := n.submitBlock(msg)
	if err != nil {
		if re, ok := err.(*rpcError); ok {
			return nil, re
		}
		return nil, &rpcError{Code: codeVerify, Message: err.Error()}
	}
	if reason == nil {
		return nil, nil
	}
	return *reason, nil
}
