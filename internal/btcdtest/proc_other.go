//go:build !linux

package btcdtest

import "syscall"

// sysProcAttr returns nil: only Linux has a parent-death signal.
func sysProcAttr() *syscall.SysProcAttr { return nil }
