//go:build !linux

package qemu

import "syscall"

// sysProcAttr has no parent-death signal to set outside Linux.
func sysProcAttr() *syscall.SysProcAttr { return nil }
