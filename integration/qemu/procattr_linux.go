package qemu

import "syscall"

// sysProcAttr kills QEMU when the test process dies, so a test killed by a
// timeout or a signal leaves no virtual machine running.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
