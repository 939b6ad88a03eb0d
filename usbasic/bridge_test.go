package usbasic

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestFTDIBaudDivisor(t *testing.T) {
	tests := []struct {
		baud         int
		value, index uint16
	}{
		{115384, 0x001A, 0}, // GekkoScience power-on (cgminer FTDI_VALUE_BAUD_BTS)
		{115200, 0x001A, 0}, // nearest divisor is the same 26
		{1500000, 0x0002, 0},
		{214285, 0x000E, 0}, // NewPac on Windows: bauddiv 0x0D + 1
		{3000000, 0x0000, 0},
		{2000000, 0x0001, 0},
		{9600, 0x4138, 0},    // 312.5: fraction code 1 in wValue bit 14
		{29888, 0x0064, 1},   // 100.375: fraction code 4 sets wIndex bit 0
		{23904, 0x407D, 0},   // 125.5
		{1714285, 0x0002, 0}, // 1.75 does not exist: rounded to 2
	}
	for _, tt := range tests {
		v, i, err := ftdiBaudDivisor(tt.baud)
		if err != nil {
			t.Fatalf("%d: %v", tt.baud, err)
		}
		if v != tt.value || i != tt.index {
			t.Errorf("baud %d: wValue %#04x wIndex %#04x, want %#04x %#04x", tt.baud, v, i, tt.value, tt.index)
		}
		if got := ftdiBaudRate(v, i); math.Abs(got-float64(tt.baud))/float64(tt.baud) > 0.15 {
			t.Errorf("baud %d encodes to %.0f", tt.baud, got)
		}
	}
	for _, bad := range []int{0, -1, 100, 3000001} {
		if _, _, err := ftdiBaudDivisor(bad); err == nil {
			t.Errorf("baud %d accepted", bad)
		}
	}
}

func TestFTDIBaudRoundTrip(t *testing.T) {
	for baud := 200; baud <= 3000000; baud = baud*21/20 + 1 {
		v, i, err := ftdiBaudDivisor(baud)
		if err != nil {
			t.Fatal(err)
		}
		got := ftdiBaudRate(v, i)
		if baud >= 1000000 {
			continue // only 3, 2 and 1.5 MBaud exist up there
		}
		// Half an eighth of the divisor is the most rounding can cost.
		tol := 0.0625/(3e6/float64(baud))*1.01 + 1e-9
		if math.Abs(got-float64(baud))/float64(baud) > tol {
			t.Errorf("baud %d → %#04x/%d → %.1f", baud, v, i, got)
		}
	}
}

func TestCP2102BaudRequest(t *testing.T) {
	r, err := cp2102BaudRequest(115200)
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestType != 0x41 || r.Request != 0x1E || r.Value != 0 || !bytes.Equal(r.Data, []byte{0x00, 0xC2, 0x01, 0x00}) {
		t.Fatalf("got %v", r)
	}
	r, _ = cp2102BaudRequest(230400)
	if !bytes.Equal(r.Data, []byte{0x00, 0x84, 0x03, 0x00}) {
		t.Fatalf("230400: % x", r.Data)
	}
	if _, err := cp2102BaudRequest(10); err == nil {
		t.Fatal("10 baud accepted")
	}
}

// The set-up sequences are the protocol document's §2.3 tables, row by row.
func TestSetupSequence(t *testing.T) {
	gekkoFTDI := func(hold time.Duration) []string {
		return []string{
			"40 00 0000 0000", "40 04 0008 0000", "40 03 001a 0000", "40 02 0000 0000",
			"40 00 0002 0000", "40 00 0001 0000",
			"40 0b 20f2 0000 +30ms", "40 0b 20f0 0000 +" + hold.String(), "40 0b 20f2 0000 +200ms",
		}
	}
	tests := []struct {
		model string
		want  []string
	}{
		{"compacf", gekkoFTDI(time.Second)},
		{"r909", gekkoFTDI(time.Second)},
		{"newpac", gekkoFTDI(30 * time.Millisecond)},
		{"r606", gekkoFTDI(30 * time.Millisecond)},
		{"compac", []string{"41 00 0001 0000", "41 07 0303 0000", "41 1e 0000 0000 00 c2 01 00", "41 03 0830 0000"}},
		{"2pac", []string{"41 00 0001 0000", "41 07 0303 0000", "41 1e 0000 0000 00 c2 01 00", "41 03 0830 0000"}},
		{"erupter", []string{"41 00 0001 0000", "41 07 0303 0000", "41 1e 0000 0000 00 c2 01 00"}},
	}
	for _, tt := range tests {
		m, ok := LookupModel(tt.model)
		if !ok {
			t.Fatalf("no model %q", tt.model)
		}
		seq, err := setupSequence(m)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range seq {
			s := r.String()
			if r.After > 0 {
				s += " +" + r.After.String()
			}
			got = append(got, s)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s:\n got  %s\n want %s", tt.model, strings.Join(got, " | "), strings.Join(tt.want, " | "))
		}
	}
	if _, err := setupSequence(Model{Name: "x"}); err == nil {
		t.Error("unknown bridge accepted")
	}
}

func TestStripFTDIStatus(t *testing.T) {
	packet := func(data ...byte) []byte { return append([]byte{0x01, 0x60}, data...) }
	full := make([]byte, 62)
	for i := range full {
		full[i] = byte(i + 1)
	}
	tests := []struct {
		name string
		raw  []byte
		want []byte
	}{
		{"idle status only", packet(), nil},
		{"short packet", packet(0xAA, 0x55, 0x01), []byte{0xAA, 0x55, 0x01}},
		{"full then short", append(packet(full...), packet(0x77)...), append(slices.Clone(full), 0x77)},
		{"two full", append(packet(full...), packet(full...)...), append(slices.Clone(full), full...)},
		{"full then idle", append(packet(full...), packet()...), full},
		{"truncated status", []byte{0x01}, nil},
	}
	for _, tt := range tests {
		got := stripFTDIStatus(slices.Clone(tt.raw))
		if !bytes.Equal(got, tt.want) {
			t.Errorf("%s: got % x, want % x", tt.name, got, tt.want)
		}
	}
}

func FuzzStripFTDIStatus(f *testing.F) {
	f.Add([]byte{0x01, 0x60, 0xAA})
	f.Fuzz(func(t *testing.T, raw []byte) {
		want := 0
		for rest := len(raw); rest > 0; rest -= 64 {
			want += max(min(rest, 64)-2, 0)
		}
		if got := stripFTDIStatus(slices.Clone(raw)); len(got) != want {
			t.Fatalf("%d bytes from %d, want %d", len(got), len(raw), want)
		}
	})
}
