package rpc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/soloist-miner/soloist/miner"
)

// Info asks getblockchaininfo for the chain and tip, getnetworkinfo for the
// peer count and agent (btcd lacks it: getinfo instead) and getmininginfo
// for the network hash rate. The chain name is soloist's network name (see
// NormaliseChain). btcd reports no initialblockdownload: it is false there,
// and btcd's getblocktemplate answers -10 (ErrSyncing) while it syncs.
func (c *Client) Info(ctx context.Context) (miner.NodeInfo, error) {
	var info miner.NodeInfo
	var bc chainInfo
	if err := c.callInto(ctx, &bc, "getblockchaininfo"); err != nil {
		return info, err
	}
	best, err := parseHash(bc.BestBlockHash)
	if err != nil {
		return info, fmt.Errorf("getblockchaininfo: bestblockhash: %w", err)
	}
	info = miner.NodeInfo{
		Chain:           NormaliseChain(bc.Chain),
		Blocks:          bc.Blocks,
		Headers:         bc.Headers,
		BestHash:        best,
		Difficulty:      bc.Difficulty,
		InitialDownload: bc.InitialBlockDownload,
		Peers:           -1,
	}
	warn := appendWarnings(nil, bc.Warnings)

	var ni networkInfo
	err = c.callInto(ctx, &ni, "getnetworkinfo")
	switch {
	case err == nil:
		if ni.Connections != nil {
			info.Peers = *ni.Connections
		}
		info.Agent = ni.SubVersion
		warn = appendWarnings(warn, ni.Warnings)
	case isUnimplemented(err):
		// btcd: getinfo has the connection count and version.
		var gi btcdInfo
		if err := c.callInto(ctx, &gi, "getinfo"); err != nil {
			if !isUnimplemented(err) {
				return info, err
			}
		} else {
			info.Peers = gi.Connections
			info.Agent = btcdAgent(gi.Version)
			warn = appendWarnings(warn, warnings{gi.Errors})
		}
	default:
		return info, err
	}

	var mi miningInfo
	if err := c.callInto(ctx, &mi, "getmininginfo"); err == nil {
		info.NetworkHashPS = mi.NetworkHashPS
	} else if !isUnimplemented(err) && !errors.As(err, new(*NodeError)) {
		return info, err
	}
	info.Warnings = warn
	return info, nil
}

// callInto runs an ordinary call and decodes its result into out.
func (c *Client) callInto(ctx context.Context, out any, method string, params ...any) error {
	raw, err := c.general.call(ctx, c.timeout, method, params...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s: decode reply: %w", method, err)
	}
	return nil
}

// isUnimplemented reports a method the node does not have: -32601 (Core),
// or btcd's -1 "Command unimplemented".
func isUnimplemented(err error) bool {
	var ne *NodeError
	if !errors.As(err, &ne) {
		return false
	}
	return ne.Code == codeMethodNotFound ||
		(ne.Code == codeMisc && strings.Contains(strings.ToLower(ne.Message), "unimplemented"))
}

// NormaliseChain turns a node's chain name into soloist's network name:
// Core's "main" → "mainnet", "test" → "testnet3"; "testnet4", "signet",
// "regtest" and btcd's names ("mainnet", "testnet3", "regtest", "simnet",
// "signet") stay; anything else is returned unchanged.
func NormaliseChain(chain string) string {
	switch chain {
	case "main":
		return "mainnet"
	case "test":
		return "testnet3"
	}
	return chain
}

// btcdAgent formats btcd's getinfo version (1000000*major+10000*minor+100*patch).
func btcdAgent(v int64) string {
	if v <= 0 {
		return "btcd"
	}
	return fmt.Sprintf("btcd %d.%d.%d", v/1000000, v/10000%100, v/100%100)
}

// chainInfo is the part of getblockchaininfo the miner uses.
type chainInfo struct {
	Chain                string   `json:"chain"`
	Blocks               int64    `json:"blocks"`
	Headers              int64    `json:"headers"`
	BestBlockHash        string   `json:"bestblockhash"`
	Difficulty           float64  `json:"difficulty"`
	InitialBlockDownload bool     `json:"initialblockdownload"`
	Warnings             warnings `json:"warnings"`
}

// networkInfo is the part of getnetworkinfo the miner uses.
type networkInfo struct {
	SubVersion  string   `json:"subversion"`
	Connections *int     `json:"connections"`
	Warnings    warnings `json:"warnings"`
}

// btcdInfo is the part of btcd's getinfo the miner uses.
type btcdInfo struct {
	Version     int64  `json:"version"`
	Connections int    `json:"connections"`
	Errors      string `json:"errors"`
}

// miningInfo is the part of getmininginfo the miner uses.
type miningInfo struct {
	NetworkHashPS float64 `json:"networkhashps"`
}

// warnings decodes Core 28+'s array and older nodes' single string.
type warnings []string

// UnmarshalJSON accepts null, a string or an array of strings.
func (w *warnings) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*w = warnings{s}
		return nil
	}
	var a []string
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("warnings: want a string or an array of strings")
	}
	*w = a
	return nil
}

// appendWarnings adds the non-empty warnings not yet in dst.
func appendWarnings(dst []string, src warnings) []string {
next:
	for _, s := range src {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		for _, d := range dst {
			if d == s {
				continue next
			}
		}
		dst = append(dst, s)
	}
	return dst
}
