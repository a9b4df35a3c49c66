package qemu

import (
	"bytes"
	"sync"
)

// A guest kernel that panics before it unpacks its initramfs or runs a
// process has run nothing of the image: the firmware and the boot loader
// loaded a kernel and stopped. Under TCG (QEMU 7.2) this happens now and
// then through no fault of the guest (a spurious debug exception in
// start_kernel, "Attempted to kill the idle task!", seen once in a whole
// test run of some thirty boots). The VM then starts QEMU again, once, with
// the same command line; a panic that comes back is the guest's and fails
// the test as before.

// earlyPanic is the line a panicking kernel prints.
var earlyPanic = []byte("Kernel panic - not syncing")

// kernelStarted are lines a kernel prints once it is past start_kernel and
// reads what the image gave it (the initramfs, or the root file system):
// a panic after one of them may be the image's.
var kernelStarted = [][]byte{
	[]byte("Trying to unpack rootfs image as initramfs"),
	[]byte("Unpacking initramfs"),
	[]byte("Run /init as init process"),
	[]byte("Run /sbin/init as init process"),
	[]byte("VFS: Mounted root"),
}

// panicWatch reads one QEMU's console and calls onPanic once if the kernel
// panics before it started (see kernelStarted).
type panicWatch struct {
	mu      sync.Mutex
	line    []byte // the unfinished line
	started bool
	fired   bool
	onPanic func()
}

func (w *panicWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started || w.fired {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			if len(w.line) > 4096 {
				w.line = w.line[len(w.line)-4096:]
			}
			return len(p), nil
		}
		w.check(w.line[:i])
		w.line = w.line[i+1:]
		if w.started || w.fired {
			w.line = nil
			return len(p), nil
		}
	}
}

// check looks at one console line; w.mu is held.
func (w *panicWatch) check(line []byte) {
	for _, s := range kernelStarted {
		if bytes.Contains(line, s) {
			w.started = true
			return
		}
	}
	if bytes.Contains(line, earlyPanic) {
		w.fired = true
		go w.onPanic()
	}
}

// earlyPanic stops a QEMU whose guest kernel panicked before it started,
// for reap to start it again, once.
func (vm *VM) earlyPanic() {
	vm.mu.Lock()
	defer vm.mu.Unlock()
	if vm.killed || vm.restarted {
		return
	}
	vm.restart = true
	_ = vm.cmd.Process.Kill()
}
