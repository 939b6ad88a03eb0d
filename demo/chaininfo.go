package demo

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"path/filepath"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// networkVersion is what getnetworkinfo reports as "version": the Bitcoin
// Core release whose RPC shapes the demo follows (29.0: warnings arrays,
// getmininginfo "next").
const networkVersion = 290000

// coreDifficulty converts compact bits to Bitcoin Core's floating-point
// difficulty (relative to 0x1d00ffff, whatever the network).
func coreDifficulty(bits uint32) float64 {
	shift := int(bits>>24) & 0xff
	mant := bits & 0x00ffffff
	if mant == 0 {
		return 0
	}
	d := float64(0x0000ffff) / float64(mant)
	for ; shift < 29; shift++ {
		d *= 256
	}
	for ; shift > 29; shift-- {
		d /= 256
	}
	return d
}

// blockInfo is what the chain knows about one indexed block.
type blockInfo struct {
	hash   chainhash.Hash
	header wire.BlockHeader
	height int32
	main   bool
}

// lookupBlock finds an indexed block by hash, on the main chain or a side
// branch.
func (n *Node) lookupBlock(hash *chainhash.Hash) (*blockInfo, *rpcError) {
	hdr, err := n.chain.HeaderByHash(hash)
	if err != nil {
		return nil, &rpcError{Code: codeNotFound, Message: "Block not found"}
	}
	bi := &blockInfo{hash: *hash, header: hdr}
	if h, err := n.chain.BlockHeightByHash(hash); err == nil && n.chain.MainChainHasBlock(hash) {
		bi.height, bi.main = h, true
		return bi, nil
	}
	// Side branch: walk back to the main chain.
	steps := int32(0)
	cur := hdr
	for {
		steps++
		prev := cur.PrevBlock
		if h, err := n.chain.BlockHeightByHash(&prev); err == nil && n.chain.MainChainHasBlock(&prev) {
			bi.height = h + steps
			return bi, nil
		}
		cur, err = n.chain.HeaderByHash(&prev)
		if err != nil {
			return nil, &rpcError{Code: codeNotFound, Message: "Block not found"}
		}
	}
}

// chainWork returns the cumulative work up to and including hash.
func (n *Node) chainWork(hash chainhash.Hash) *big.Int {
	sum := new(big.Int)
	for {
		hdr, err := n.chain.HeaderByHash(&hash)
		if err != nil {
			return sum
		}
		sum.Add(sum, blockchain.CalcWork(hdr.Bits))
		if hdr.PrevBlock == (chainhash.Hash{}) {
			return sum
		}
		hash = hdr.PrevBlock
	}
}

func parseHashArg(args []json.RawMessage, i int, name string) (*chainhash.Hash, *rpcError) {
	s, rerr := argString(args, i, name)
	if rerr != nil {
		return nil, rerr
	}
	if len(s) != 64 {
		return nil, errParam("%s must be of length 64 (not %d, for '%s')", name, len(s), s)
	}
	if _, err := hex.DecodeString(s); err != nil {
		return nil, errParam("%s must be hexadecimal string (not '%s')", name, s)
	}
	h, err := chainhash.NewHashFromStr(s)
	if err != nil {
		return nil, errParam("%s must be hexadecimal string (not '%s')", name, s)
	}
	return h, nil
}

// headerJSON renders a block header like Bitcoin Core's verbose
// getblockheader.
func (n *Node) headerJSON(bi *blockInfo, nTx int) map[string]any {
	best := n.chain.BestSnapshot()
	h := bi.header
	conf := int64(-1)
	if bi.main {
		conf = int64(best.Height-bi.height) + 1
	}
	m := map[string]any{
		"hash":          bi.hash.String(),
		"confirmations": conf,
		"height":        bi.height,
		"version":       h.Version,
		"versionHex":    fmt.Sprintf("%08x", uint32(h.Version)),
		"merkleroot":    h.MerkleRoot.String(),
		"time":          h.Timestamp.Unix(),
		"nonce":         h.Nonce,
		"bits":          fmt.Sprintf("%08x", h.Bits),
		"target":        targetHex(h.Bits),
		"difficulty":    coreDifficulty(h.Bits),
		"chainwork":     fmt.Sprintf("%064x", n.chainWork(bi.hash)),
	}
	if mt, err := n.chain.PastMedianTime(&h); err == nil {
		m["mediantime"] = mt.Unix()
	}
	if nTx >= 0 {
		m["nTx"] = nTx
	}
	if h.PrevBlock != (chainhash.Hash{}) {
		m["previousblockhash"] = h.PrevBlock.String()
	}
	if bi.main && bi.height < best.Height {
		if next, err := n.chain.BlockHashByHeight(bi.height + 1); err == nil {
			m["nextblockhash"] = next.String()
		}
	}
	return m
}

func (n *Node) rpcGetBlockHeader(_ context.Context, args []json.RawMessage) (any, *rpcError) {
	hash, rerr := parseHashArg(args, 0, "blockhash")
	if rerr != nil {
		return nil, rerr
	}
	verbose, rerr := argBool(args, 1, "verbose", true)
	if rerr != nil {
		return nil, rerr
	}
	bi, rerr := n.lookupBlock(hash)
	if rerr != nil {
		return nil, rerr
	}
	if !verbose {
		var buf bytes.Buffer
		if err := bi.header.Serialize(&buf); err != nil {
			return nil, &rpcError{Code: codeMisc, Message: err.Error()}
		}
		return hex.EncodeToString(buf.Bytes()), nil
	}
	nTx := -1
	if bi.main {
		if blk, err := n.chain.BlockByHash(hash); err == nil {
			nTx = len(blk.Transactions())
		}
	}
	return n.headerJSON(bi, nTx), nil
}

func (n *Node) rpcGetBlock(_ context.Context, args []json.RawMessage) (any, *rpcError) {
	hash, rerr := parseHashArg(args, 0, "blockhash")
	if rerr != nil {
		return nil, rerr
	}
	verbosity, rerr := argInt(args, 1, "verbosity", 1)
	if rerr != nil {
		return nil, rerr
	}
	bi, rerr := n.lookupBlock(hash)
	if rerr != nil {
		return nil, rerr
	}
	if !bi.main {
		return nil, &rpcError{Code: codeMisc, Message: "Block not available (not on the main chain)"}
	}
	blk, err := n.chain.BlockByHash(hash)
	if err != nil {
		return nil, &rpcError{Code: codeMisc, Message: "Block not found on disk"}
	}
	msg := blk.MsgBlock()
	var buf bytes.Buffer
	if err := msg.Serialize(&buf); err != nil {
		return nil, &rpcError{Code: codeMisc, Message: err.Error()}
	}
	if verbosity <= 0 {
		return hex.EncodeToString(buf.Bytes()), nil
	}
	m := n.headerJSON(bi, len(msg.Transactions))
	m["size"] = buf.Len()
	m["strippedsize"] = msg.SerializeSizeStripped()
	m["weight"] = blockchain.GetBlockWeight(blk)
	if verbosity == 1 {
		ids := make([]string, 0, len(msg.Transactions))
		for _, tx := range blk.Transactions() {
			ids = append(ids, tx.Hash().String())
		}
		m["tx"] = ids
		return m, nil
	}
	txs := make([]map[string]any, 0, len(msg.Transactions))
	for _, tx := range blk.Transactions() {
		txs = append(txs, n.txJSON(tx))
	}
	m["tx"] = txs
	return m, nil
}

// scriptTypes maps btcd script classes to Bitcoin Core's type names.
var scriptTypes = map[txscript.ScriptClass]string{
	txscript.NonStandardTy:         "nonstandard",
	txscript.PubKeyTy:              "pubkey",
	txscript.PubKeyHashTy:          "pubkeyhash",
	txscript.ScriptHashTy:          "scripthash",
	txscript.MultiSigTy:            "multisig",
	txscript.NullDataTy:            "nulldata",
	txscript.WitnessV0PubKeyHashTy: "witness_v0_keyhash",
	txscript.WitnessV0ScriptHashTy: "witness_v0_scripthash",
	txscript.WitnessV1TaprootTy:    "witness_v1_taproot",
	txscript.WitnessUnknownTy:      "witness_unknown",
}

// txJSON renders a transaction like Bitcoin Core's decoded form.
func (n *Node) txJSON(tx *btcutil.Tx) map[string]any {
	msg := tx.MsgTx()
	var buf bytes.Buffer
	_ = msg.Serialize(&buf)
	weight := blockchain.GetTransactionWeight(tx)
	vin := make([]map[string]any, 0, len(msg.TxIn))
	coinbase := blockchain.IsCoinBaseTx(msg)
	for _, in := range msg.TxIn {
		e := map[string]any{"sequence": in.Sequence}
		if coinbase {
			e["coinbase"] = hex.EncodeToString(in.SignatureScript)
		} else {
			e["txid"] = in.PreviousOutPoint.Hash.String()
			e["vout"] = in.PreviousOutPoint.Index
			asm, _ := txscript.DisasmString(in.SignatureScript)
			e["scriptSig"] = map[string]any{"asm": asm, "hex": hex.EncodeToString(in.SignatureScript)}
		}
		if len(in.Witness) > 0 {
			w := make([]string, len(in.Witness))
			for i, item := range in.Witness {
				w[i] = hex.EncodeToString(item)
			}
			e["txinwitness"] = w
		}
		vin = append(vin, e)
	}
	vout := make([]map[string]any, 0, len(msg.TxOut))
	for i, out := range msg.TxOut {
		asm, _ := txscript.DisasmString(out.PkScript)
		class, addrs, _, _ := txscript.ExtractPkScriptAddrs(out.PkScript, n.params)
		spk := map[string]any{"asm": asm, "hex": hex.EncodeToString(out.PkScript), "type": scriptTypes[class]}
		if len(addrs) == 1 && class != txscript.PubKeyTy && class != txscript.MultiSigTy {
			spk["address"] = addrs[0].EncodeAddress()
		}
		vout = append(vout, map[string]any{
			"value":        btcutil.Amount(out.Value).ToBTC(),
			"n":            i,
			"scriptPubKey": spk,
		})
	}
	return map[string]any{
		"txid":     tx.Hash().String(),
		"hash":     tx.WitnessHash().String(),
		"version":  msg.Version,
		"size":     buf.Len(),
		"vsize":    (weight + 3) / 4,
		"weight":   weight,
		"locktime": msg.LockTime,
		"vin":      vin,
		"vout":     vout,
		"hex":      hex.EncodeToString(buf.Bytes()),
	}
}

func (n *Node) rpcGetBestBlockHash(context.Context, []json.RawMessage) (any, *rpcError) {
	return n.chain.BestSnapshot().Hash.String(), nil
}

func (n *Node) rpcGetBlockCount(context.Context, []json.RawMessage) (any, *rpcError) {
	return n.chain.BestSnapshot().Height, nil
}

func (n *Node) rpcGetBlockHash(_ context.Context, args []json.RawMessage) (any, *rpcError) {
	if !argPresent(args, 0) {
		return nil, &rpcError{Code: codeMisc, Message: `missing required argument "height"`}
	}
	h, rerr := argInt(args, 0, "height", 0)
	if rerr != nil {
		return nil, rerr
	}
	best := n.chain.BestSnapshot()
	if h < 0 || h > int64(best.Height) {
		return nil, errParam("Block height out of range")
	}
	hash, err := n.chain.BlockHashByHeight(int32(h))
	if err != nil {
		return nil, errParam("Block height out of range")
	}
	return hash.String(), nil
}

func (n *Node) rpcGetDifficulty(context.Context, []json.RawMessage) (any, *rpcError) {
	return coreDifficulty(n.chain.BestSnapshot().Bits), nil
}

func (n *Node) rpcGetConnectionCount(context.Context, []json.RawMessage) (any, *rpcError) {
	return 0, nil
}

func (n *Node) rpcUptime(context.Context, []json.RawMessage) (any, *rpcError) {
	return int64(time.Since(n.start) / time.Second), nil
}

// networkHashPS estimates the hash rate from the last up to 120 blocks, like
// Bitcoin Core's getnetworkhashps default.
func (n *Node) networkHashPS() float64 {
	best := n.chain.BestSnapshot()
	if best.Height == 0 {
		return 0
	}
	lookup := min(int32(120), best.Height)
	hash := best.Hash
	hdr, err := n.chain.HeaderByHash(&hash)
	if err != nil {
		return 0
	}
	minT, maxT := hdr.Timestamp.Unix(), hdr.Timestamp.Unix()
	sum := new(big.Int)
	for i := int32(0); i < lookup; i++ {
		sum.Add(sum, blockchain.CalcWork(hdr.Bits))
		hash = hdr.PrevBlock
		if hdr, err = n.chain.HeaderByHash(&hash); err != nil {
			return 0
		}
		minT, maxT = min(minT, hdr.Timestamp.Unix()), max(maxT, hdr.Timestamp.Unix())
	}
	if maxT == minT {
		return 0
	}
	f, _ := new(big.Float).SetInt(sum).Float64()
	return f / float64(maxT-minT)
}

func (n *Node) rpcGetMiningInfo(context.Context, []json.RawMessage) (any, *rpcError) {
	n.mu.Lock()
	best := n.chain.BestSnapshot()
	pooled := n.pool.len()
	var next map[string]any
	if t, err := n.templateLocked(); err == nil {
		next = map[string]any{
			"height":     t.sel.height,
			"bits":       fmt.Sprintf("%08x", t.win.bits),
			"difficulty": coreDifficulty(t.win.bits),
			"target":     targetHex(t.win.bits),
		}
	}
	n.mu.Unlock()
	m := map[string]any{
		"blocks":        best.Height,
		"bits":          fmt.Sprintf("%08x", best.Bits),
		"difficulty":    coreDifficulty(best.Bits),
		"target":        targetHex(best.Bits),
		"networkhashps": n.networkHashPS(),
		"pooledtx":      pooled,
		"blockmintxfee": 0.00001,
		"chain":         ChainName,
		"warnings":      []string{},
	}
	if next != nil {
		m["next"] = next
	}
	return m, nil
}

func (n *Node) rpcGetBlockchainInfo(context.Context, []json.RawMessage) (any, *rpcError) {
	best := n.chain.BestSnapshot()
	var size int64
	_ = filepath.WalkDir(filepath.Join(n.cfg.Dir, "chain"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	hdr, err := n.chain.HeaderByHash(&best.Hash)
	if err != nil {
		return nil, &rpcError{Code: codeMisc, Message: err.Error()}
	}
	return map[string]any{
		"chain":                ChainName,
		"blocks":               best.Height,
		"headers":              best.Height,
		"bestblockhash":        best.Hash.String(),
		"bits":                 fmt.Sprintf("%08x", best.Bits),
		"target":               targetHex(best.Bits),
		"difficulty":           coreDifficulty(best.Bits),
		"time":                 hdr.Timestamp.Unix(),
		"mediantime":           best.MedianTime.Unix(),
		"verificationprogress": 1.0,
		"initialblockdownload": false,
		"chainwork":            fmt.Sprintf("%064x", n.chainWork(best.Hash)),
		"size_on_disk":         size,
		"pruned":               false,
		"warnings":             []string{},
	}, nil
}

func (n *Node) rpcGetNetworkInfo(context.Context, []json.RawMessage) (any, *rpcError) {
	return map[string]any{
		"version":            networkVersion,
		"subversion":         "/soloist-demo:0.1.0/",
		"protocolversion":    70016,
		"localservices":      "0000000000000409",
		"localservicesnames": []string{"NETWORK", "WITNESS", "NETWORK_LIMITED"},
		"localrelay":         true,
		"timeoffset":         0,
		"networkactive":      true,
		"connections":        0,
		"connections_in":     0,
		"connections_out":    0,
		"networks":           []any{},
		"relayfee":           0.00001,
		"incrementalfee":     0.00001,
		"localaddresses":     []any{},
		"warnings":           []string{},
	}, nil
}

func (n *Node) rpcGetRawMempool(_ context.Context, args []json.RawMessage) (any, *rpcError) {
	verbose, rerr := argBool(args, 0, "verbose", false)
	if rerr != nil {
		return nil, rerr
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if !verbose {
		ids := make([]string, 0, n.pool.len())
		for _, ptx := range n.pool.txs {
			ids = append(ids, ptx.tx.Hash().String())
		}
		return ids, nil
	}
	out := make(map[string]any, n.pool.len())
	for _, ptx := range n.pool.txs {
		deps := []string{}
		for _, in := range ptx.tx.MsgTx().TxIn {
			if n.pool.has(in.PreviousOutPoint.Hash) {
				deps = append(deps, in.PreviousOutPoint.Hash.String())
			}
		}
		out[ptx.tx.Hash().String()] = map[string]any{
			"vsize":   (ptx.weight + 3) / 4,
			"weight":  ptx.weight,
			"fees":    map[string]any{"base": btcutil.Amount(ptx.fee).ToBTC()},
			"wtxid":   ptx.tx.WitnessHash().String(),
			"depends": deps,
		}
	}
	return out, nil
}
