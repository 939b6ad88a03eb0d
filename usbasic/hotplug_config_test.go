package usbasic

import (
	"maps"
	"strings"
	"testing"
)

func TestParseFreqFlags(t *testing.T) {
	tests := []struct {
		in      []string
		want    map[string]float64
		wantErr string
	}{
		{nil, map[string]float64{}, ""},
		{[]string{"200"}, map[string]float64{"": 200}, ""},
		{[]string{"GSF0001=450", "125.5"}, map[string]float64{"GSF0001": 450, "": 125.5}, ""},
		{[]string{" GSF0001 = 450 ", "GSC2=300"}, map[string]float64{"GSF0001": 450, "GSC2": 300}, ""},
		{[]string{"fast"}, nil, `"fast" is not a number of MHz`},
		{[]string{"=200"}, nil, "no serial before '='"},
		{[]string{"GSF0001="}, nil, `"" is not a number of MHz`},
		{[]string{"0"}, nil, "must be above 0"},
		{[]string{"-5"}, nil, "must be above 0"},
		{[]string{"NaN"}, nil, "must be above 0"},
		{[]string{"1e9"}, nil, "at most 2000 MHz"},
		{[]string{"200", "300"}, nil, "for every stick was already given"},
		{[]string{"A=200", "A=300"}, nil, "for stick A was already given"},
	}
	for _, tt := range tests {
		got, err := ParseFreqFlags(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%q: err %v, want one line containing %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tt.want) {
			t.Errorf("%q: %v %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

func TestConfigFreqFor(t *testing.T) {
	compacf, _ := LookupModel("compacf")
	cfg := Config{Freq: map[string]float64{"": 300, "GSF0001": 5000, "GSF0002": 450}}
	tests := []struct {
		serial string
		want   float64
	}{
		{"GSF0001", compacf.MaxMHz}, // clamped
		{"GSF0002", 450},
		{"GSF0003", 300}, // the "" entry
		{"", 300},
	}
	for _, tt := range tests {
		if got, _ := cfg.freqFor(Device{Serial: tt.serial, Model: compacf}); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.serial, got, tt.want)
		}
	}
	if got, _ := (&Config{}).freqFor(Device{Model: compacf}); got != compacf.DefaultMHz {
		t.Errorf("no flag: %v, want the default %v", got, compacf.DefaultMHz)
	}
}

func FuzzParseFreqFlags(f *testing.F) {
	f.Add("GSF0001=450")
	f.Add("200")
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseFreqFlags([]string{s})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for _, v := range got {
			if !(v > 0 && v <= maxFreqMHz) {
				t.Fatalf("%q → %v", s, v)
			}
		}
	})
}
