package usbasic

import (
	"strings"
	"testing"
)

func TestMatchModels(t *testing.T) {
	for _, c := range []struct {
		vid, pid   uint16
		manu, prod string
		want       []string
	}{
		{0x0403, 0x6015, "GekkoScience", "CompacF Bitcoin Miner", []string{"compacf"}},
		{0x0403, 0x6015, "GekkoScience", "compacf bitcoin miner", []string{"compacf"}}, // product: any case
		{0x0403, 0x6015, "GekkoScience", "NewPac Bitcoin Miner", []string{"newpac"}},
		{0x0403, 0x6015, "GekkoScience", "R606 Bitcoin Miner", []string{"r606"}},
		{0x0403, 0x6015, "GekkoScience", "R909 Bitcoin Miner", []string{"r909"}},
		{0x0403, 0x6015, "gekkoscience", "CompacF Bitcoin Miner", nil}, // manufacturer: exact
		{0x0403, 0x6015, "FTDI", "FT230X Basic UART", nil},
		{0x10c4, 0xea60, "bitshopperde", "Compac BM1384 Bitcoin Miner", []string{"compac"}},
		{0x10c4, 0xea60, "GekkoScience", "2Pac BM1384 Bitcoin Miner", []string{"2pac"}},
		{0x10c4, 0xea60, "GekkoScience", "Terminus BM1384 Bitcoin Miner", []string{"terminus"}},
		{0x10c4, 0xea60, "Silicon Labs", "CP2102 USB to UART Bridge Controller", []string{"erupter", "antminer-u1", "antminer-u3"}}, // probe, in cgminer's order
		{0x10c4, 0xea60, "Bitmain", "Antminer U2", []string{"antminer-u1"}},
		{0x10c4, 0xea60, "Bitmain", "Antminer U3", []string{"antminer-u3"}},
		{0x10c4, 0xea60, "ASICMiner", "Block Erupter USB", []string{"erupter"}},
		{0x10c4, 0xea60, "GekkoScience", "Compac A9 Bitcoin Miner", nil},
		{0x10c4, 0xea70, "Silicon Labs", "GekkoScience Compac A1", nil},
	} {
		got := MatchModels(c.vid, c.pid, c.manu, c.prod)
		var names []string
		for _, m := range got {
			names = append(names, m.Name)
		}
		if strings.Join(names, ",") != strings.Join(c.want, ",") {
			t.Errorf("MatchModels(%04x:%04x %q %q) = %v, want %v", c.vid, c.pid, c.manu, c.prod, names, c.want)
		}
	}
}

func TestModelTable(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range Models() {
		if seen[m.Name] {
			t.Errorf("duplicate model %q", m.Name)
		}
		seen[m.Name] = true
		if m.Family == FamilyUnknown || m.Bridge == BridgeUnknown || m.VID == 0 || m.InitialBaud == 0 {
			t.Errorf("%s: incomplete %+v", m.Name, m)
		}
		if m.FixedRate == 0 && (m.DefaultMHz < m.MinMHz || m.DefaultMHz > m.MaxMHz || m.CoresPerChip == 0) {
			t.Errorf("%s: default %v MHz outside %v..%v", m.Name, m.DefaultMHz, m.MinMHz, m.MaxMHz)
		}
		if m.ExpectedRate(m.ClampMHz(0), 0) <= 0 && m.Chips > 0 {
			t.Errorf("%s: no expected rate", m.Name)
		}
	}
	m, _ := LookupModel("compacf")
	if r := m.ExpectedRate(200, 1); r < 104.9e9 || r > 105.1e9 {
		t.Errorf("Compac F at 200 MHz: %v H/s, want 105 GH/s as cgminer shows", r)
	}
}

func TestTicketFor(t *testing.T) {
	cf, _ := LookupModel("compacf")
	r909, _ := LookupModel("r909")
	compac, _ := LookupModel("compac")
	for _, c := range []struct {
		name string
		rate float64
		want int
	}{
		{"compacf", cf.ExpectedRate(200, 1), 4},
		{"r909", r909.ExpectedRate(450, 6), 8},
		{"compac", compac.ExpectedRate(150, 1), 0},
		{"zero", 0, 0},
	} {
		if got := ticketFor(c.rate, 8); got != c.want {
			t.Errorf("%s: ticketFor(%.3g) = %d, want %d", c.name, c.rate, got, c.want)
		}
	}
}

func TestRollVersions(t *testing.T) {
	got := rollVersions(0x20000000, 0x1fffe000, 4)
	want := []int32{0x20000000, 0x2000e000, 0x3fff0000, 0x3fffe000}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("version %d = %08x, want %08x", i, got[i], want[i])
		}
	}
	if got := rollVersions(0x20000000, 0, 4); len(got) != 1 {
		t.Errorf("no mask: %x", got)
	}
	for _, mask := range []uint32{0x00003000, 0x0000F000, 0x00ffff00, 0x1fffe000, 0x80000001} {
		got := rollVersions(0x20000000, mask, midstatesFor(mask))
		seen := map[int32]bool{}
		for _, v := range got {
			if seen[v] || uint32(v)&^mask != 0x20000000 {
				t.Errorf("mask %08x: versions %x not distinct within the mask", mask, got)
			}
			seen[v] = true
		}
		if len(got) != 4 {
			t.Errorf("mask %08x: %d versions", mask, len(got))
		}
	}
	if got := rollVersions(0x20000000, 0x2000, midstatesFor(0x2000)); len(got) != 1 {
		t.Errorf("one-bit mask: %x", got)
	}
}
