package miner

import (
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// Payout is a checked payout destination: the address the user gave, the
// script every coinbase pays, and the address that script encodes back to.
type Payout struct {
	Address btcutil.Address
	Script  []byte
	// Type is "p2pkh", "p2sh", "p2wpkh", "p2wsh" or "p2tr".
	Type string
}

// ParsePayout decodes addr for the network params and refuses anything that
// would not pay exactly what the user wrote: an address of another network
// (btcutil decodes a bech32 address of any known network without error), a
// witness v1 program that is not 32 bytes (btcutil silently turns it into a
// v0 script), or an address type without a standard output script.
func ParsePayout(addr string, params *chaincfg.Params) (Payout, error) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return Payout{}, fmt.Errorf("no payout address: give --address with an address of the %s network", params.Name)
	}
	a, err := btcutil.DecodeAddress(addr, params)
	if err != nil {
		return Payout{}, fmt.Errorf("payout address %q is not a valid %s address: %v", addr, params.Name, err)
	}
	if !a.IsForNet(params) {
		return Payout{}, fmt.Errorf("payout address %q belongs to another network, not %s", addr, params.Name)
	}
	var typ string
	switch a.(type) {
	case *btcutil.AddressPubKeyHash:
		typ = "p2pkh"
	case *btcutil.AddressScriptHash:
		typ = "p2sh"
	case *btcutil.AddressWitnessPubKeyHash:
		typ = "p2wpkh"
	case *btcutil.AddressWitnessScriptHash:
		typ = "p2wsh"
	case *btcutil.AddressTaproot:
		typ = "p2tr"
	default:
		return Payout{}, fmt.Errorf("payout address %q has no standard output type: use a P2PKH, P2SH, P2WPKH, P2WSH or P2TR address", addr)
	}
	// A bech32m v1 address with a 20-byte program decodes as a v0 P2WPKH;
	// the re-encoding then differs from the input. Refuse it.
	if !strings.EqualFold(a.EncodeAddress(), addr) {
		return Payout{}, fmt.Errorf("payout address %q does not round-trip (witness v1 programs must be 32 bytes): refusing to pay a different script", addr)
	}
	script, err := txscript.PayToAddrScript(a)
	if err != nil {
		return Payout{}, fmt.Errorf("payout address %q: %v", addr, err)
	}
	return Payout{Address: a, Script: script, Type: typ}, nil
}
