package e2e

import (
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// payoutKinds are the address types the mining tests pay: every standard output type.
var payoutKinds = []string{"p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr"}

// testAddress returns a deterministic address of the given kind on params, from a key
// derived from the kind's name (test chains only).
func testAddress(t *testing.T, kind string, params *chaincfg.Params) btcutil.Address {
	t.Helper()
	seed := sha256.Sum256([]byte("soloist e2e payout key " + kind))
	_, pub := btcec.PrivKeyFromBytes(seed[:])
	var (
		addr btcutil.Address
		err  error
	)
	switch kind {
	case "p2pkh":
		addr, err = btcutil.NewAddressPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), params)
	case "p2wpkh":
		addr, err = btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), params)
	case "p2sh":
		addr, err = btcutil.NewAddressScriptHash(multisig1of1(t, pub), params)
	case "p2wsh":
		h := sha256.Sum256(multisig1of1(t, pub))
		addr, err = btcutil.NewAddressWitnessScriptHash(h[:], params)
	case "p2tr":
		addr, err = btcutil.NewAddressTaproot(schnorr.SerializePubKey(txscript.ComputeTaprootKeyNoScript(pub)), params)
	default:
		t.Fatalf("unknown address kind %q", kind)
	}
	if err != nil {
		t.Fatalf("%s address: %v", kind, err)
	}
	return addr
}

// scriptOf returns the output script that pays addr.
func scriptOf(t *testing.T, addr btcutil.Address) []byte {
	t.Helper()
	s, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatalf("script of %s: %v", addr, err)
	}
	return s
}

// multisig1of1 is a 1-of-1 multisig script of pub, the redeem script of the P2SH and P2WSH
// payouts.
func multisig1of1(t *testing.T, pub *btcec.PublicKey) []byte {
	t.Helper()
	s, err := txscript.NewScriptBuilder().AddOp(txscript.OP_1).AddData(pub.SerializeCompressed()).
		AddOp(txscript.OP_1).AddOp(txscript.OP_CHECKMULTISIG).Script()
	if err != nil {
		t.Fatalf("multisig script: %v", err)
	}
	return s
}
