package btcdtest

import "syscall"

// sysProcAttr makes the kernel kill btcd if the test binary dies without cleaning up
// (for example on a go test -timeout panic).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
