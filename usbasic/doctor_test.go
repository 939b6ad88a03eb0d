package usbasic

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Every stick in the model table is opened by the shipped udev rules, and
// the rule printed for a device is the file's own line.
func TestUdevRulesCoverEveryModel(t *testing.T) {
	for _, m := range Models() {
		rule := UdevRule(m.VID, m.PID)
		if rule == "" {
			t.Errorf("%s (%04x:%04x): no rule in udev/60-soloist.rules", m.Name, m.VID, m.PID)
			continue
		}
		for _, want := range []string{`MODE="0660"`, `GROUP="plugdev"`, `TAG+="uaccess"`, `ENV{ID_MM_DEVICE_IGNORE}="1"`} {
			if !strings.Contains(rule, want) {
				t.Errorf("%s: rule %q lacks %s", m.Name, rule, want)
			}
		}
		if !strings.Contains(UdevRules(), rule+"\n") {
			t.Errorf("%s: rule is not a whole line of the file", m.Name)
		}
	}
	if UdevRule(0x1234, 0x5678) != "" {
		t.Error("a rule for an unknown VID:PID")
	}
}

func TestExplain(t *testing.T) {
	d := Device{Bus: 1, Address: 7, VID: VIDSiLabs, PID: PIDCP2102}
	tests := []struct {
		err  error
		want []string
	}{
		{nil, nil},
		{fmt.Errorf("open: %w", ErrNoPermission), []string{"001/007", UdevRulesPath, UdevRule(VIDSiLabs, PIDCP2102), UdevReload, "plugdev"}},
		{fmt.Errorf("claim: %w", ErrBusy), []string{"001/007", "cgminer", "brltty"}},
		{fmt.Errorf("list: %w", ErrNoUSB), []string{"/dev/bus/usb", "--device /dev/bus/usb"}},
		{ErrNotBuiltIn, []string{"CGO_ENABLED", "libusb-1.0-0-dev"}},
		{fmt.Errorf("x: %w", ErrNotMiner), []string{"plain USB-serial adapter"}},
		{fmt.Errorf("read: %w", ErrLost), []string{"cable"}},
		{errors.New("something else"), nil},
	}
	for _, tt := range tests {
		got := strings.Join(Explain(tt.err, d), "\n")
		if tt.want == nil && got != "" {
			t.Errorf("%v: advice %q, want none", tt.err, got)
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%v: advice lacks %q:\n%s", tt.err, w, got)
			}
		}
	}
}
