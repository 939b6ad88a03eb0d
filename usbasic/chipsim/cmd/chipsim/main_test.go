//go:build unix

package main

import (
	"os"
	"testing"
	"time"

	"github.com/soloist-miner/soloist/usbasic/chipsim"
	"github.com/soloist-miner/soloist/usbasic/proto"
)

// TestPumpAppliesEventsInPlace writes data and side-channel events before
// the pump starts, so it must split the stream at each event's offset: the
// baud change sits between the chip's baud write and the next read.
func TestPumpAppliesEventsInPlace(t *testing.T) {
	sim := chipsim.New(chipsim.Config{Family: chipsim.BM1397, HostBaud: 9600})
	defer sim.Close()
	inR, inW, _ := os.Pipe()
	ctlR, ctlW, _ := os.Pipe()
	read := proto.BM1397ReadRegFrame(true, 0, 0)
	misc := proto.BM1397WriteRegFrame(true, 0, proto.BM1397RegMiscControl, proto.BM1397MiscBaud(1))
	var data []byte
	data = append(data, read...)
	data = append(data, misc...)
	data = append(data, read...)
	ctlW.WriteString("0 reset\n0 baud 115385\n")
	ctlW.WriteString("0 bitmode 0x20 0xf2\n")
	ctlW.WriteString("18 baud 1500000\n")
	inW.Write(data)
	done := make(chan error, 1)
	go func() { done <- pump(sim, inR, int(ctlR.Fd())) }()
	var got []byte
	buf := make([]byte, 64)
	deadline := time.Now().Add(2 * time.Second)
	for len(got) < 18 && time.Now().Before(deadline) {
		n := sim.ReadOutput(buf, 20*time.Millisecond)
		got = append(got, buf[:n]...)
	}
	if len(got) != 18 {
		t.Errorf("got % X, want two chip-id replies", got)
	}
	// Holding the reset line silences the chips.
	ctlW.WriteString("25 bitmode 0x20 0xf0\n")
	time.Sleep(20 * time.Millisecond)
	inW.Write(read)
	if n := sim.ReadOutput(buf, 100*time.Millisecond); n != 0 {
		t.Errorf("answer while in reset: % X", buf[:n])
	}
	inW.Close()
	ctlW.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("pump: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Error("pump did not end at EOF")
	}
}

func TestParseDiff(t *testing.T) {
	for _, c := range []struct {
		in   string
		want float64
		ok   bool
	}{{"1/1024", 1.0 / 1024, true}, {"0.5", 0.5, true}, {"1/0", 0, false}, {"x", 0, false}} {
		got, err := parseDiff(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseDiff(%q) = %v, %v", c.in, got, err)
		}
	}
	if err := run([]string{"--family", "bm9999"}); err == nil {
		t.Error("unknown family accepted")
	}
}
