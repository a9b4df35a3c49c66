package qemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// VM is a running QEMU. Its methods are safe to call from several goroutines.
type VM struct {
	argv    []string
	dir     string
	config  *Config
	mu      sync.Mutex     // guards cmd, stdin, booted, killed, restart and restarted
	cmd     *exec.Cmd      // the QEMU running now
	stdin   io.WriteCloser // the serial console's input
	booted  bool           // the running QEMU's kernel got past start_kernel
	killed  bool           // Kill was called: no restart
	restart bool           // the kernel panicked early: start QEMU again
	// restarted: QEMU was started again once (see restart.go)
	restarted bool
	logf      func(string, ...any)
	console   *Console
	stdout    *lineLogger // logs the console
	stderr    *lineLogger
	done      chan struct{} // closed when QEMU has exited and its output is drained
	err       error         // QEMU's exit error, set before done is closed
	made      string        // the work directory Launch made, removed by Close
}

// StartT is Start that fails t when QEMU cannot be started.
func StartT(t testing.TB, opts ...Option) *VM {
	t.Helper()
	vm, err := Start(t, opts...)
	if err != nil {
		t.Fatalf("start qemu: %v", err)
	}
	return vm
}

// Start starts QEMU as opts describe, in a work directory of its own unless
// WithDir gives one. The serial console is logged line by line with t.Logf
// and kept for Expect. When t ends, QEMU is killed if still running; if t
// failed, the command line that reproduces the run is logged and the work
// directory is kept.
func Start(t testing.TB, opts ...Option) (*VM, error) {
	t.Helper()
	c := NewConfig(opts...)
	if c.Dir == "" {
		dir, err := os.MkdirTemp("", "qemu-"+dirName(t.Name())+"-")
		if err != nil {
			return nil, fmt.Errorf("make qemu work directory: %w", err)
		}
		c.Dir = dir
		t.Cleanup(func() { keepIfFailed(t, dir) })
	}
	vm, err := start(c, t.Logf)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		if err := vm.Kill(); err != nil {
			t.Logf("qemu: %v", err)
		}
		if t.Failed() {
			t.Logf("qemu: reproduce the run with:\n%s", run.Quote(vm.argv))
		}
	})
	return vm, nil
}

// Launch starts QEMU as opts describe outside a test (a benchmark, say):
// console and QEMU lines go to logf (nil: nowhere). The caller ends the
// machine with Close, which also removes the work directory Launch made.
func Launch(logf func(format string, args ...any), opts ...Option) (*VM, error) {
	if logf == nil {
		logf = func(string, ...any) {}
	}
	c := NewConfig(opts...)
	made := ""
	if c.Dir == "" {
		dir, err := os.MkdirTemp("", "qemu-launch-")
		if err != nil {
			return nil, fmt.Errorf("make qemu work directory: %w", err)
		}
		c.Dir, made = dir, dir
	}
	vm, err := start(c, logf)
	if err != nil {
		if made != "" {
			os.RemoveAll(made)
		}
		return nil, err
	}
	vm.made = made
	return vm, nil
}

// Close kills QEMU if it still runs and removes the work directory Launch
// made.
func (vm *VM) Close() error {
	err := vm.Kill()
	if vm.made != "" {
		err = errors.Join(err, os.RemoveAll(vm.made))
	}
	return err
}

// start runs QEMU for c, whose work directory exists.
func start(c *Config, logf func(string, ...any)) (*VM, error) {
	if c.Accel == "" {
		accel, reason, err := AccelFor(c.SecureBoot)
		if err != nil {
			return nil, err
		}
		c.Accel = accel
		logf("qemu: accelerator %s (%s)", accel, reason)
	}
	if c.UEFI && c.Firmware.Code == "" {
		fw, err := c.findFirmware()
		if err != nil {
			return nil, err
		}
		c.Firmware = fw
	}
	argv, err := c.Args()
	if err != nil {
		return nil, fmt.Errorf("qemu command line: %w", err)
	}
	if err := c.prepare(); err != nil {
		return nil, err
	}

	vm := &VM{
		argv:    argv,
		dir:     c.Dir,
		config:  c,
		logf:    logf,
		console: NewConsole(""),
		stdout:  &lineLogger{logf: logf, prefix: "console"},
		stderr:  &lineLogger{logf: logf, prefix: "qemu"},
		done:    make(chan struct{}),
	}
	vm.stdout.watch = vm.watchLine
	if err := vm.launch(); err != nil {
		return nil, err
	}
	go vm.reap()
	return vm, nil
}

// launch starts a QEMU process for vm; vm.mu is held or vm not yet shared.
func (vm *VM) launch() error {
	cmd := exec.Command(vm.argv[0], vm.argv[1:]...)
	cmd.Dir = vm.config.Dir
	cmd.SysProcAttr = sysProcAttr()
	cmd.Stdout = io.MultiWriter(vm.console, vm.stdout)
	cmd.Stderr = vm.stderr
	for _, tap := range vm.config.Taps {
		cmd.ExtraFiles = append(cmd.ExtraFiles, tap.File) // descriptors 3, 4, ... as netArgs says
	}
	cmd.WaitDelay = 5 * time.Second // a guest cannot hold the pipes after QEMU exits
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return fmt.Errorf("qemu console input: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", run.Quote(vm.argv), err)
	}
	vm.cmd, vm.stdin, vm.booted = cmd, stdin, false
	return nil
}

// reap waits for QEMU to exit and its output to be read, starting it again
// once if its guest kernel panicked early (see restart.go).
func (vm *VM) reap() {
	var err error
	for {
		vm.mu.Lock()
		cmd := vm.cmd
		vm.mu.Unlock()
		err = cmd.Wait()
		vm.stdout.Flush()
		vm.stderr.Flush()
		vm.mu.Lock()
		again := vm.restart && !vm.killed && !vm.restarted
		if again {
			vm.restart, vm.restarted = false, true
			vm.logf("qemu: the guest kernel panicked before it read the initramfs or the root: an emulator fault, not the image's; starting QEMU again (once)")
			if err = vm.config.prepare(); err == nil {
				err = vm.launch()
			}
			again = err == nil
		}
		vm.mu.Unlock()
		if !again {
			break
		}
	}
	cause := errors.New("qemu exited")
	if err != nil {
		err = fmt.Errorf("%s: %w", vm.argv[0], err)
		if tail := vm.stderr.Tail(); tail != "" {
			err = fmt.Errorf("%w: %s", err, tail)
		}
		cause = fmt.Errorf("qemu exited: %w", err)
	}
	vm.err = err
	_ = vm.console.CloseWithError(cause)
	close(vm.done)
}

// keepIfFailed removes the work directory, or keeps it and says so when the
// test failed.
func keepIfFailed(t testing.TB, dir string) {
	if t.Failed() {
		t.Logf("qemu: work directory kept for inspection: %s", dir)
		return
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Logf("qemu: remove work directory: %v", err)
	}
}

// prepare writes the files the command line refers to into c.Dir.
func (c *Config) prepare() error {
	if c.SeaBIOSConsole {
		p := filepath.Join(c.Dir, seaBIOSConsoleFile)
		if err := os.WriteFile(p, []byte{0xf8, 0x03}, 0o644); err != nil {
			return fmt.Errorf("write seabios console port: %w", err)
		}
	}
	if c.UEFI && c.Firmware.Vars != "" {
		return copyVars(c.Firmware, c.varsPath())
	}
	return nil
}
