package usbasic

import (
	_ "embed"
	"errors"
	"fmt"
	"strings"
)

// Why a stick cannot be used. Discovery and Open wrap these with the
// device's location; test with errors.Is and explain with Explain.
var (
	// ErrNotBuiltIn: the binary was built without cgo, so without libusb.
	ErrNotBuiltIn = errors.New("usb sticks not built in (this soloist was built without cgo)")
	// ErrNoUSB: libusb sees no USB bus at all (no /dev/bus/usb, as in most
	// containers).
	ErrNoUSB = errors.New("no usb bus visible")
	// ErrNoPermission: the device node cannot be opened (EACCES): no udev
	// rule gives this user access.
	ErrNoPermission = errors.New("no permission to open the usb device")
	// ErrBusy: another program (cgminer, another soloist, brltty) holds the
	// stick's interface (EBUSY).
	ErrBusy = errors.New("usb device in use by another program")
	// ErrNotMiner: a device with a generic bridge identity that did not
	// answer the probe as any stick soloist knows.
	ErrNotMiner = errors.New("not a miner soloist knows (no answer to the probe)")
)

// UdevRulesPath is where the udev rules file belongs.
const UdevRulesPath = "/etc/udev/rules.d/60-soloist.rules"

// UdevReload is the command that makes udev apply new rules to sticks
// already plugged in.
const UdevReload = "sudo udevadm control --reload-rules && sudo udevadm trigger"

//go:embed udev/60-soloist.rules
var udevRules string

// UdevRules returns the text of soloist's udev rules file, as shipped in
// usbasic/udev/60-soloist.rules.
func UdevRules() string { return udevRules }

// UdevRule returns the rules-file line that opens devices with this
// VID:PID to group plugdev, or "" when the file has none for it.
func UdevRule(vid, pid uint16) string {
	key := fmt.Sprintf(`SUBSYSTEM=="usb", ATTRS{idVendor}=="%04x", ATTRS{idProduct}=="%04x"`, vid, pid)
	for line := range strings.Lines(udevRules) {
		if strings.HasPrefix(line, key) {
			return strings.TrimRight(line, "\n")
		}
	}
	return ""
}

// Explain returns what the user should do about err, one instruction a
// line, or nil when err is nil or needs no advice beyond its own text. d
// names the device (its zero value when the error is not about one).
func Explain(err error, d Device) []string {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotBuiltIn):
		return []string{
			"This soloist was built with CGO_ENABLED=0, so it cannot use USB sticks.",
			"Rebuild it with cgo and libusb: sudo apt-get install libusb-1.0-0-dev pkg-config && CGO_ENABLED=1 go build",
		}
	case errors.Is(err, ErrNoUSB):
		return []string{
			"libusb finds no USB bus on this machine (no /dev/bus/usb).",
			"In a container, pass the bus in: docker run --device /dev/bus/usb ... (or -v /dev/bus/usb:/dev/bus/usb --privileged).",
		}
	case errors.Is(err, ErrNoPermission):
		rule := UdevRule(d.VID, d.PID)
		if rule == "" {
			rule = fmt.Sprintf(`SUBSYSTEM=="usb", ATTRS{idVendor}=="%04x", ATTRS{idProduct}=="%04x", MODE="0660", GROUP="plugdev", TAG+="uaccess"`, d.VID, d.PID)
		}
		return []string{
			"This user may not open " + d.Location() + " (" + d.ID() + "). Add this udev rule to " + UdevRulesPath + ":",
			"  " + rule,
			"(the whole file is usbasic/udev/60-soloist.rules in soloist's source), then run:",
			"  " + UdevReload,
			"and replug the stick. The rule gives group plugdev access: sudo usermod -aG plugdev \"$USER\" and log in again if you are not in it.",
		}
	case errors.Is(err, ErrBusy):
		return []string{
			"Another program holds " + d.Location() + " (" + d.ID() + "): stop cgminer, bfgminer or another soloist using it.",
			"If nothing else mines, brltty may have grabbed the bridge (dmesg shows \"claimed by ... brltty\"): sudo apt-get remove brltty, or disable its udev rule, and replug.",
		}
	case errors.Is(err, ErrNotMiner):
		return []string{d.Location() + " (" + d.ID() + ") looks like a plain USB-serial adapter; soloist leaves it alone."}
	case errors.Is(err, ErrLost):
		return []string{d.Location() + " went away while soloist was reading it: check the cable and the hub's power."}
	}
	return nil
}
