package usbasic

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/miner"
	"github.com/soloist-miner/soloist/usbasic/chipsim"
	"github.com/soloist-miner/soloist/usbasic/proto"
)

// recPort records what a driver does to its port, one line per call.
type recPort struct {
	Port
	mu  sync.Mutex
	ops []string
}

func (p *recPort) add(s string) {
	p.mu.Lock()
	p.ops = append(p.ops, s)
	p.mu.Unlock()
}

func (p *recPort) Write(b []byte) (int, error) {
	p.add(fmt.Sprintf("% X", b))
	return p.Port.Write(b)
}

func (p *recPort) SetBaud(b int) error {
	p.add(fmt.Sprintf("baud %d", b))
	return p.Port.SetBaud(b)
}

func (p *recPort) ResetChips(hold time.Duration) error {
	p.add(fmt.Sprintf("reset %v", hold))
	return p.Port.ResetChips(hold)
}

func (p *recPort) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.ops...)
}

func rep(n int, s ...string) []string {
	var out []string
	for i := 0; i < n; i++ {
		out = append(out, s...)
	}
	return out
}

// TestInitSequences compares what each driver sends at start-up with the
// cgminer sequences of usb-asic-protocols.md (§4.10, §5.5, §6.5, §7.4),
// frame by frame.
func TestInitSequences(t *testing.T) {
	busy := func(id int) string {
		f, _ := proto.BM1387JobFrame(&proto.Job{ID: byte(id), Tail: proto.BusyWorkTail, Midstates: []proto.Midstate{{}}})
		return fmt.Sprintf("% X", f)
	}
	var openCore87, openCore84 []string
	for i := 0; i < 116; i++ {
		openCore87 = append(openCore87, busy(i))
	}
	for i := 0; i < 57; i++ {
		openCore84 = append(openCore84, fmt.Sprintf("% X", proto.WorkFrame(&proto.Work{ID: byte(i % 32)})))
	}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	for _, c := range []struct {
		model string
		chips int
		want  []string
	}{
		{"compacf", 1, cat(
			[]string{"reset 1s", "baud 115384", "55 AA 52 05 00 00 0A"},
			rep(3, "55 AA 53 05 00 00 03"),
			[]string{
				"55 AA 40 05 00 00 1C",
				"55 AA 51 09 00 80 00 00 00 00 1C",
				"55 AA 51 09 00 84 00 00 00 00 11",
				"55 AA 51 09 00 20 00 00 00 01 02",
				"55 AA 51 09 00 3C 80 00 80 74 10",
				"55 AA 51 09 00 14 00 00 00 F0 1E",
			},
			rep(2, "55 AA 51 09 00 68 C0 70 01 11 00"),
			[]string{"55 AA 51 09 00 28 06 00 00 0F 18", "55 AA 51 09 00 18 00 00 61 31 1C", "baud 1500000"},
			rep(2, "55 AA 51 09 00 70 0F 0F 0F 00 19"),
			rep(2, "55 AA 51 09 00 08 40 A0 02 25 16"),
			[]string{"55 AA 52 05 00 08 07"},
		)},
		{"newpac", 2, cat(
			[]string{"reset 30ms", "baud 115384", "54 05 00 00 19"},
			rep(3, "55 05 00 00 10"),
			[]string{"41 05 00 00 15", "41 05 80 00 19", "58 09 00 1C 00 20 01 00 1B", "baud 1500000", "58 09 00 1C 40 20 81 80 09"},
			openCore87,
			[]string{"58 09 00 0C 00 20 02 41 09"},
		)},
		{"compac", 1, cat(
			[]string{"84 00 00 11", "85 00 00 0F", "01 00 00 19"},
			openCore84,
			[]string{"82 07 83 1C", "84 00 04 00", "85 00 00 0F", "01 00 00 19"},
		)},
		{"erupter", 1, []string{fmt.Sprintf("% X", proto.IcarusGoldenWork)}},
		{"antminer-u3", 1, []string{"AA B7 75 DE", "82 08 82 1C", "82 08 82 1C", fmt.Sprintf("% X", proto.IcarusGoldenWork)}},
	} {
		t.Run(c.model, func(t *testing.T) {
			t.Parallel()
			m, _ := LookupModel(c.model)
			cp := chipsim.NewPort(chipsim.PortConfig{Config: chipsim.Config{Family: simFamily(m), Chips: c.chips}, Lost: ErrLost, NotSupported: ErrNotSupported})
			defer cp.Close()
			rp := &recPort{Port: cp}
			s := NewStick(rp, StickConfig{Model: m})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- s.Run(ctx, miner.NewFeed(), make(chan miner.Solution)) }()
			deadline := time.Now().Add(20 * time.Second)
			for s.Status().State != miner.DeviceIdle && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			got := rp.log()
			if len(got) < len(c.want) {
				t.Fatalf("sent %d frames, want at least %d:\n%s", len(got), len(c.want), strings.Join(got, "\n"))
			}
			for i, w := range c.want {
				if got[i] != w {
					t.Fatalf("frame %d: %s\nwant      %s\n(sequence so far:\n%s)", i, got[i], w, strings.Join(got[:i+1], "\n"))
				}
			}
		})
	}
}
