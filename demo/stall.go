package demo

import (
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// rescueFactor: a retarget-height block not found within rescueFactor ×
// MinDiffReductionTime of its parent's time makes the node give up that
// parent (see armStallTimersLocked).
const rescueFactor = 3

// stopStallTimersLocked stops both stall timers. Callers hold n.mu.
func (n *Node) stopStallTimersLocked() {
	if n.phaseTimer != nil {
		n.phaseTimer.Stop()
		n.phaseTimer = nil
	}
	if n.rescueTimer != nil {
		n.rescueTimer.Stop()
		n.rescueTimer = nil
	}
}

// armStallTimersLocked arms the two timers that keep a miner that got much
// slower from being stuck on the current tip. Callers hold n.mu.
//
//   - Phase timer: when a block on the tip may switch to the easiest bits
//     (ReduceMinDifficulty, MinDiffReductionTime after the tip's time),
//     templates change, so long polls are woken.
//   - Rescue timer: the rule above does not apply at retarget heights. If
//     the next block is a retarget block above the easiest difficulty and
//     it has not come rescueFactor × MinDiffReductionTime after the tip's
//     time, the node invalidates the tip (a one-block reorg). The block
//     that then replaces it is no retarget block, may use the easiest bits
//     at once, and the retarget after it starts again from the easiest
//     difficulty. At a steady hash rate this practically never fires: a
//     retarget block expected in 30 s (120 s after an unlucky ×4 step) is
//     this late with odds of e^-18 (e^-4.5); the simulation in
//     retarget_test.go saw none in 480 simulated hours.
func (n *Node) armStallTimersLocked() {
	n.stopStallTimersLocked()
	best := n.chain.BestSnapshot()
	if best.Height == 0 {
		return
	}
	parent, err := n.chain.HeaderByHash(&best.Hash)
	if err != nil {
		return
	}
	tip := best.Hash
	minT := best.MedianTime.Unix() + 1
	r := int64(n.timing.minDiffAfter / time.Second)
	switchAt := parent.Timestamp.Unix() + r + 1
	early, err1 := n.chain.CalcNextRequiredDifficulty(time.Unix(minT, 0))
	late, err2 := n.chain.CalcNextRequiredDifficulty(time.Unix(max(minT, switchAt), 0))
	if err1 != nil || err2 != nil {
		return
	}
	if early != late {
		n.phaseTimer = time.AfterFunc(max(time.Unix(switchAt, 0).Sub(n.now()), 0), func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			if n.closed() || n.phaseSeq != 0 || n.chain.BestSnapshot().Hash != tip {
				return
			}
			n.seq++
			n.phaseSeq = n.seq
			n.cache = nil
			n.notifyLocked()
			n.log.Debug("easiest difficulty now allowed", "tip", tip)
		})
	}
	nextIsRetarget := (best.Height+1)%BlocksPerRetarget == 0
	if nextIsRetarget && early == late && early != n.params.PowLimitBits {
		rescueAt := parent.Timestamp.Unix() + rescueFactor*r
		n.rescueTimer = time.AfterFunc(max(time.Unix(rescueAt, 0).Sub(n.now()), 0), func() {
			n.mu.Lock()
			defer n.mu.Unlock()
			if n.closed() || n.chain.BestSnapshot().Hash != tip {
				return
			}
			n.rescueLocked(tip)
		})
	}
}

// rescueLocked invalidates tip so that the chain can continue below a
// retarget block the miner cannot reach. Callers hold n.mu.
func (n *Node) rescueLocked(tip chainhash.Hash) {
	before := n.chain.BestSnapshot().Hash
	if err := n.chain.InvalidateBlock(&tip); err != nil {
		n.log.Warn("demo: could not give up the stalled tip", "tip", tip, "err", err)
		return
	}
	n.log.Info("retarget block overdue: the hash rate fell; reorganising one block back so the difficulty can reset",
		"orphaned", tip, "height", n.chain.BestSnapshot().Height+1)
	n.afterChainChangeLocked(before)
}
