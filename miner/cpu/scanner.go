package cpu

import (
	"math/bits"

	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/miner/sha256d"
)

// scanner scans one Work: under sha256d.Versions header versions at once
// when the job lets hashers roll version bits (BIP320), which shares the
// first hash's second-block schedule between them, else plainly.
type scanner struct {
	kernel sha256d.Kernel
	work   *miner.Work
	plain  *sha256d.Job
	rolled *sha256d.RolledJob
	found  []uint32
	hits   []sha256d.Hit
	sols   []miner.Solution
}

func newScanner(k sha256d.Kernel, w *miner.Work, roll bool) *scanner {
	s := &scanner{kernel: k, work: w, found: make([]uint32, 16), hits: make([]sha256d.Hit, 16)}
	if v, ok := rollVersions(w.Job); roll && ok {
		s.rolled = sha256d.NewRolledJob(&w.Header, &v, &w.Target)
	} else {
		s.plain = sha256d.NewJob(&w.Header, &w.Target)
	}
	return s
}

// rollVersions returns the job's version and two variants with one more
// rollable bit set each, when the job allows two bits.
func rollVersions(j *miner.Job) ([sha256d.Versions]uint32, bool) {
	var v [sha256d.Versions]uint32
	mask := j.VersionMask
	if bits.OnesCount32(mask) < sha256d.Versions-1 {
		return v, false
	}
	v[0] = uint32(j.Version)
	for i := 1; i < sha256d.Versions; i++ {
		b := mask & -mask // lowest rollable bit
		mask &^= b
		v[i] = uint32(j.Version) | b
	}
	return v, true
}

// scan tests count nonces from start and returns how many it scanned, how
// many hashes that was, and the solutions found (valid until the next call).
func (s *scanner) scan(start, count uint32, source string) (scanned uint32, hashes uint64, sols []miner.Solution) {
	s.sols = s.sols[:0]
	if s.rolled != nil {
		scanned, n := s.kernel.ScanRolled(s.rolled, start, count, s.hits)
		for _, h := range s.hits[:n] {
			sol := miner.NewSolution(s.work, h.Nonce, source)
			sol.Version = int32(h.Version)
			s.sols = append(s.sols, sol)
		}
		return scanned, uint64(scanned) * sha256d.Versions, s.sols
	}
	scanned, n := s.kernel.Scan(s.plain, start, count, s.found)
	for _, nonce := range s.found[:n] {
		s.sols = append(s.sols, miner.NewSolution(s.work, nonce, source))
	}
	return scanned, uint64(scanned), s.sols
}
