package qemu

// What a test does with a running VM: wait for its console, stop it, look
// at it.

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"
)

// Expect waits up to timeout for marker to appear on the console after the
// previous match. It fails early, with QEMU's exit status, if QEMU exits.
func (vm *VM) Expect(marker string, timeout time.Duration) error {
	return vm.console.Expect(marker, timeout)
}

// ExpectRE waits up to timeout for re to match on the console after the
// previous match, and returns the match and its submatches.
func (vm *VM) ExpectRE(re *regexp.Regexp, timeout time.Duration) ([]string, error) {
	return vm.console.ExpectRE(re, timeout)
}

// Wait waits up to timeout for QEMU to exit (the guest powered off, or
// rebooted without WithReboot) and its console to be drained. It returns
// QEMU's exit error, with the end of its standard error.
func (vm *VM) Wait(timeout time.Duration) error {
	select {
	case <-vm.done:
		return vm.err
	case <-time.After(timeout):
		return fmt.Errorf("wait for qemu to exit: %w after %s; last console lines:\n\t%s",
			ErrTimeout, timeout, strings.Join(vm.console.Tail(tailLines), "\n\t"))
	}
}

// Kill stops QEMU at once if it is still running, and waits for it.
func (vm *VM) Kill() error {
	select {
	case <-vm.done:
		return nil
	default:
	}
	vm.mu.Lock()
	vm.killed = true
	err := vm.cmd.Process.Kill()
	vm.mu.Unlock()
	if err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill qemu: %w", err)
	}
	<-vm.done
	return nil
}

// Console returns everything the guest wrote to its serial console so far.
func (vm *VM) Console() string { return vm.console.String() }

// Argv returns QEMU's command line, program first.
func (vm *VM) Argv() []string { return append([]string(nil), vm.argv...) }

// Dir returns the work directory.
func (vm *VM) Dir() string { return vm.dir }
