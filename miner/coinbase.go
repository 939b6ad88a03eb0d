package miner

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// ExtranonceSize is the size of the extranonce field in the coinbase
// scriptSig. Every Work of a job gets a distinct value, so no two hashers
// ever search the same header space.
const ExtranonceSize = 8

// witnessMagic starts a witness commitment output script (BIP141).
var witnessMagic = []byte{txscript.OP_RETURN, 0x24, 0xaa, 0x21, 0xa9, 0xed}

// HeightScript is the BIP34 height prefix of a coinbase scriptSig exactly as
// Bitcoin Core checks it: OP_1…OP_16 for heights 1–16, else a minimal push.
func HeightScript(height int64) ([]byte, error) {
	if height < 0 {
		return nil, fmt.Errorf("negative block height %d", height)
	}
	return txscript.NewScriptBuilder().AddInt64(height).Script()
}

// coinbaseParts is the legacy serialization of a coinbase split around its
// extranonce: txid = SHA256d(prefix ‖ extranonce ‖ suffix).
type coinbaseParts struct {
	prefix, suffix []byte
	// witness is true when the block carries a witness commitment, so the
	// coinbase input carries the 32-byte reserved value.
	witness bool
}

// buildCoinbase lays out the coinbase: input scriptSig = height push,
// extranonce push, tag push (2–100 bytes in all); output 0 pays value to the
// payout script; output 1, when commitment is non-nil, is the witness
// commitment.
func buildCoinbase(height int64, payout []byte, value int64, tag []byte, commitment []byte) (coinbaseParts, error) {
	hs, err := HeightScript(height)
	if err != nil {
		return coinbaseParts{}, err
	}
	if len(tag) > 40 {
		tag = tag[:40]
	}
	var tagPush []byte
	if len(tag) > 0 {
		tagPush = append([]byte{byte(len(tag))}, tag...)
	}
	sigLen := len(hs) + 1 + ExtranonceSize + len(tagPush)
	if sigLen < 2 || sigLen > 100 {
		return coinbaseParts{}, fmt.Errorf("coinbase scriptSig of %d bytes is outside 2..100", sigLen)
	}
	var pre bytes.Buffer
	binary.Write(&pre, binary.LittleEndian, int32(2)) // version
	pre.WriteByte(1)                                  // one input
	pre.Write(make([]byte, 32))                       // null prevout
	binary.Write(&pre, binary.LittleEndian, uint32(0xffffffff))
	wire.WriteVarInt(&pre, 0, uint64(sigLen))
	pre.Write(hs)
	pre.WriteByte(ExtranonceSize) // push of the extranonce

	var suf bytes.Buffer
	suf.Write(tagPush)
	binary.Write(&suf, binary.LittleEndian, uint32(0xffffffff)) // sequence
	outs := 1
	if commitment != nil {
		outs = 2
	}
	wire.WriteVarInt(&suf, 0, uint64(outs))
	binary.Write(&suf, binary.LittleEndian, value)
	wire.WriteVarInt(&suf, 0, uint64(len(payout)))
	suf.Write(payout)
	if commitment != nil {
		binary.Write(&suf, binary.LittleEndian, int64(0))
		wire.WriteVarInt(&suf, 0, uint64(len(witnessMagic)+32))
		suf.Write(witnessMagic)
		suf.Write(commitment)
	}
	binary.Write(&suf, binary.LittleEndian, uint32(0)) // lock time
	return coinbaseParts{prefix: pre.Bytes(), suffix: suf.Bytes(), witness: commitment != nil}, nil
}

// legacy returns the coinbase without witness, as hashed for the txid.
func (c coinbaseParts) legacy(extranonce []byte) []byte {
	b := make([]byte, 0, len(c.prefix)+len(extranonce)+len(c.suffix))
	b = append(b, c.prefix...)
	b = append(b, extranonce...)
	return append(b, c.suffix...)
}

// full returns the coinbase as it goes into the block: with the marker, flag
// and the single 32-byte zero reserved value when the block commits to
// witnesses.
func (c coinbaseParts) full(extranonce []byte) []byte {
	if !c.witness {
		return c.legacy(extranonce)
	}
	tx := c.legacy(extranonce)
	body, lock := tx[4:len(tx)-4], tx[len(tx)-4:]
	b := make([]byte, 0, len(tx)+2+34)
	b = append(b, tx[:4]...)
	b = append(b, 0x00, 0x01)
	b = append(b, body...)
	b = append(b, 0x01, 0x20)
	b = append(b, make([]byte, 32)...)
	return append(b, lock...)
}
