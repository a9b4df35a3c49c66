package qemu

import "strings"

// A guest kernel that panics before it unpacks its initramfs or runs a
// process has run nothing of the image: the firmware and the boot loader
// loaded a kernel and stopped. Under TCG (QEMU 7.2) this happens now and
// then through no fault of the guest (a spurious debug exception in
// start_kernel, "Attempted to kill the idle task!", seen once in a whole
// test run of some thirty boots). The VM then starts QEMU again, once, with
// the same command line; a panic that comes back is the guest's and fails
// the test as before.

// earlyPanic is the line a panicking kernel prints.
const earlyPanic = "Kernel panic - not syncing"

// kernelStarted are lines a kernel prints once it is past start_kernel and
// reads what the image gave it (the initramfs, or the root file system):
// a panic after one of them may be the image's.
var kernelStarted = []string{
	"Trying to unpack rootfs image as initramfs",
	"Unpacking initramfs",
	"Run /init as init process",
	"Run /sbin/init as init process",
	"VFS: Mounted root",
}

// watchLine looks at one console line of the QEMU running now and stops it,
// for reap to start it again once, if its kernel panicked before it started
// (see kernelStarted).
func (vm *VM) watchLine(line string) {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if vm.booted || vm.restart || vm.restarted || vm.killed {
		return
	}
	for _, s := range kernelStarted {
		if strings.Contains(line, s) {
			vm.booted = true
			return
		}
	}
	if strings.Contains(line, earlyPanic) {
		vm.restart = true
		_ = vm.cmd.Process.Kill()
	}
}
