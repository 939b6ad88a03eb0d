//go:build cgo

package usbasic

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/gousb"
)

// On a machine (or container) without /dev/bus/usb, soloist says so
// instead of listing nothing.
func TestNoUSBBus(t *testing.T) {
	if os.Getenv("USBSTICK_EMULATOR_SOCKET") != "" {
		t.Skip("under the USB emulator")
	}
	if _, err := os.Stat("/dev/bus/usb"); err == nil {
		t.Skip("this machine has /dev/bus/usb")
	}
	b, err := OpenBus(nil)
	if err == nil {
		defer b.Close()
		_, err = b.Scan(context.Background(), ScanOptions{})
	}
	if !errors.Is(err, ErrNoUSB) {
		t.Fatalf("got %v, want ErrNoUSB", err)
	}
	if advice := strings.Join(Explain(err, Device{}), " "); !strings.Contains(advice, "/dev/bus/usb") {
		t.Errorf("advice %q does not name /dev/bus/usb", advice)
	}
}

// gousb panics when libusb_init fails (as in some containers); OpenBus
// turns that into ErrNoUSB with libusb's reason.
func TestStartLibusbRecoversThePanic(t *testing.T) {
	_, err := startLibusb(func() *gousb.Context { panic(gousb.ErrorOther) })
	if !errors.Is(err, ErrNoUSB) || !strings.Contains(err.Error(), gousb.ErrorOther.Error()) {
		t.Fatalf("got %v", err)
	}
}

// claimWithoutDetach claims interface 0 of the first vid:pid device the way
// a program that does not detach kernel drivers would, and returns the
// classified error.
func claimWithoutDetach(t *testing.T, vid, pid gousb.ID) error {
	t.Helper()
	ctx := gousb.NewContext()
	defer ctx.Close()
	dev, err := ctx.OpenDeviceWithVIDPID(vid, pid)
	if err != nil || dev == nil {
		t.Fatalf("open %s:%s: %v", vid, pid, err)
	}
	defer dev.Close()
	_, done, err := dev.DefaultInterface()
	if err == nil {
		done()
	}
	return classify(err)
}
