//go:build cgo

package usbasic

import (
	"errors"
	"fmt"
	"strings"

	"github.com/google/gousb"
)

// libusbCode reports whether err is, or (since gousb formats some causes
// with %v) mentions, the libusb error code.
func libusbCode(err error, code gousb.Error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, code) {
		return true
	}
	return strings.Contains(err.Error(), fmt.Sprintf("[code %d]", int(code)))
}

// classify maps a gousb error to the package's sentinels, keeping the
// original text: EACCES → ErrNoPermission, EBUSY → ErrBusy, a device gone
// → ErrLost.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case libusbCode(err, gousb.ErrorAccess):
		return fmt.Errorf("%w: %v", ErrNoPermission, err)
	case libusbCode(err, gousb.ErrorBusy):
		return fmt.Errorf("%w: %v", ErrBusy, err)
	case isGone(err):
		return fmt.Errorf("%w: %v", ErrLost, err)
	}
	return err
}

// isGone reports whether err says the device is no longer there.
func isGone(err error) bool {
	return errors.Is(err, gousb.TransferNoDevice) || libusbCode(err, gousb.ErrorNoDevice)
}

// isTimeout reports whether a transfer ended because its deadline passed.
func isTimeout(err error) bool {
	return errors.Is(err, gousb.TransferCancelled) || errors.Is(err, gousb.TransferTimedOut) ||
		libusbCode(err, gousb.ErrorTimeout)
}
