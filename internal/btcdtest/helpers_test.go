package btcdtest

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

func paramsOf(t *testing.T, net string) *chaincfg.Params {
	t.Helper()
	switch net {
	case "regtest":
		return &chaincfg.RegressionNetParams
	case "simnet":
		return &chaincfg.SimNetParams
	}
	t.Fatalf("unknown net %q", net)
	return nil
}

func asRPCError(err error, target **RPCError) bool { return errors.As(err, target) }
