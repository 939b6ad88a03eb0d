package miner

import "time"

// meter turns a cumulative hash count, sampled about once a second, into
// rates over several windows. It keeps 15 minutes of samples.
type meter struct {
	samples []sample // ring, oldest at head
	head    int
	n       int
	start   sample
	started bool
}

type sample struct {
	at    time.Time
	count uint64
}

const meterCap = 15*60 + 5

func (m *meter) add(at time.Time, count uint64) {
	if !m.started {
		m.start = sample{at, count}
		m.started = true
	}
	if m.samples == nil {
		m.samples = make([]sample, meterCap)
	}
	// Keep at most one sample per second.
	if m.n > 0 {
		last := m.samples[(m.head+m.n-1)%meterCap]
		if at.Sub(last.at) < time.Second {
			if count >= last.count {
				return
			}
		}
	}
	s := sample{at, count}
	if m.n < meterCap {
		m.samples[(m.head+m.n)%meterCap] = s
		m.n++
	} else {
		m.samples[m.head] = s
		m.head = (m.head + 1) % meterCap
	}
}

// rate returns the average rate over the last window ending at now, from the
// oldest sample not older than the window; 0 without two samples.
func (m *meter) rate(now time.Time, window time.Duration, current uint64) float64 {
	if m.n == 0 {
		return 0
	}
	from := m.samples[m.head]
	for i := 0; i < m.n; i++ {
		s := m.samples[(m.head+i)%meterCap]
		if now.Sub(s.at) <= window {
			from = s
			break
		}
	}
	dt := now.Sub(from.at).Seconds()
	if dt < 0.5 || current < from.count {
		return 0
	}
	return float64(current-from.count) / dt
}

func (m *meter) session(now time.Time, current uint64) float64 {
	if !m.started {
		return 0
	}
	dt := now.Sub(m.start.at).Seconds()
	if dt < 0.5 || current < m.start.count {
		return 0
	}
	return float64(current-m.start.count) / dt
}

func (m *meter) rates(now time.Time, current uint64) Rates {
	return Rates{
		Now:     m.rate(now, 5*time.Second, current),
		Min1:    m.rate(now, time.Minute, current),
		Min15:   m.rate(now, 15*time.Minute, current),
		Session: m.session(now, current),
	}
}

// history returns the rate per 10-second bucket over the last ten minutes,
// oldest first.
func (m *meter) history(now time.Time, current uint64) []float64 {
	const bucket = 10 * time.Second
	var out []float64
	if m.n == 0 {
		return out
	}
	oldest := m.samples[m.head].at
	for k := 59; k >= 0; k-- {
		end := now.Add(-time.Duration(k) * bucket)
		begin := end.Add(-bucket)
		if begin.Before(oldest) {
			continue
		}
		c0, ok0 := m.countAt(begin)
		c1, ok1 := m.countAt(end)
		if k == 0 {
			c1, ok1 = current, true
		}
		if !ok0 || !ok1 || c1 < c0 {
			continue
		}
		out = append(out, float64(c1-c0)/bucket.Seconds())
	}
	return out
}

// countAt returns the count of the newest sample at or before t.
func (m *meter) countAt(t time.Time) (uint64, bool) {
	var c uint64
	ok := false
	for i := 0; i < m.n; i++ {
		s := m.samples[(m.head+i)%meterCap]
		if s.at.After(t) {
			break
		}
		c, ok = s.count, true
	}
	return c, ok
}
