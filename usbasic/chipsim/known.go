package chipsim

import (
	"encoding/hex"
	"strings"

	"github.com/soloist-miner/soloist/usbasic/proto"
)

// knownJobs are the jobs whose complete diff-1 nonce sets were found by
// exhaustive scans (usb-asic-protocols.md §9.6), keyed by MIDSTATE_FIELD ‖
// TAIL_FIELD. Nonces are wire bytes, in sequential-scan order.
var knownJobs = map[string][]string{
	// Icarus golden work (block 171874)
	"4679ba4ec99876bf4bfe086082b400254df6c356451471139a3afa71e48f544a" + "87320b1a1426674f2fa722ce": {"000187a2"},
	// ESP-Miner test job, midstate 2
	"7e027035b1acbaf23ea01a527344faf76ab476d328216118b7760f7b1b22d229" + "3aae0517a084736450e37161": {"9b044c0a"},
	// ESP-Miner verifier job
	"4d3185f25f7d5de0e3591741cb21cae11574ddd65d490d3d68739f8a52eadf91" + "01dd0517d88b6564c604a846": {"f86b6255"},
	// ESP-Miner "diff 683" job
	"46a9a88fc83e6899b41116030b4c5f488f5deb70bedcec316adbd0cdacd5e4b1" + "3aae0517b5257064d63778eb": {"3699effc", "d19e020a"},
	// cgminer busy work (BM1387/BM1397)
	strings.Repeat("00", 32) + strings.Repeat("ff", 12): {"7203ea83", "e16bf809"},
	// BM1384 open-core task: none at all
	strings.Repeat("00", 32) + strings.Repeat("00", 12): {},
	// bfgminer work-division probe
	"2e4c8f91fd595d2d7ea20aaacb64a2a04382860277cf26b6a1ee04c56a5b504a" + "6461011ac906a951fb9b3c73": {"04c0fdb4", "417c0f36", "60c994d5", "82540e46"},
}

// knownNonces returns the complete nonce set of a known one-midstate job,
// nil when the job is not known.
func knownNonces(mids []proto.Midstate, tail [12]byte) [][4]byte {
	if len(mids) != 1 {
		return nil
	}
	f := mids[0].Field()
	list, ok := knownJobs[hex.EncodeToString(f[:])+hex.EncodeToString(tail[:])]
	if !ok {
		return nil
	}
	out := [][4]byte{}
	for _, s := range list {
		var n [4]byte
		b, _ := hex.DecodeString(s)
		copy(n[:], b)
		out = append(out, n)
	}
	return out
}
