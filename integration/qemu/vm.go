package qemu

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// VM is a running QEMU. Its methods are safe to call from several goroutines.
type VM struct {
	t       testing.TB
	argv    []string
	dir     string
	cmd     *exec.Cmd
	stdin   io.WriteCloser // the serial console's input
	console *Console
	stdout  *lineLogger // logs the console
	stderr  *lineLogger
	done    chan struct{} // closed when QEMU has exited and its output is drained
	err     error         // QEMU's exit error, set before done is closed
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
func Start(t testing.TB, opts ...Option) (vm *VM, err error) {
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
	if c.Accel == "" {
		accel, reason, err := Accel()
		if err != nil {
			return nil, err
		}
		c.Accel = accel
		t.Logf("qemu: accelerator %s (%s)", accel, reason)
	}
	if c.UEFI && c.Firmware.Code == "" {
		if c.Firmware, err = FindOVMF(); err != nil {
			return nil, err
		}
	}
	argv, err := c.Args()
	if err != nil {
		return nil, fmt.Errorf("qemu command line: %w", err)
	}
	if err := c.prepare(); err != nil {
		return nil, err
	}

	vm = &VM{
		t:       t,
		argv:    argv,
		dir:     c.Dir,
		console: NewConsole(""),
		stdout:  &lineLogger{t: t, prefix: "console"},
		stderr:  &lineLogger{t: t, prefix: "qemu"},
		done:    make(chan struct{}),
	}
	vm.cmd = exec.Command(argv[0], argv[1:]...)
	vm.cmd.Dir = c.Dir
	vm.cmd.SysProcAttr = sysProcAttr()
	vm.cmd.Stdout = io.MultiWriter(vm.console, vm.stdout)
	vm.cmd.Stderr = vm.stderr
	vm.cmd.WaitDelay = 5 * time.Second // a guest cannot hold the pipes after QEMU exits
	if vm.stdin, err = vm.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("qemu console input: %w", err)
	}
	if err := vm.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", run.Quote(argv), err)
	}
	go vm.reap()
	t.Cleanup(vm.cleanup)
	return vm, nil
}

// reap waits for QEMU to exit and its output to be read.
func (vm *VM) reap() {
	err := vm.cmd.Wait()
	vm.stdout.Flush()
	vm.stderr.Flush()
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

// cleanup kills QEMU if it still runs and, if the test failed, says how to
// run it again.
func (vm *VM) cleanup() {
	if err := vm.Kill(); err != nil {
		vm.t.Logf("qemu: %v", err)
	}
	if vm.t.Failed() {
		vm.t.Logf("qemu: reproduce the run with:\n%s", run.Quote(vm.argv))
	}
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
	if err := vm.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
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

// dirName turns a test name into something fit for a directory name.
func dirName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, name)
	if len(name) > 64 {
		name = name[:64]
	}
	return name
}

// lineLogger logs each complete line written to it with t.Logf, cleaned of
// terminal control sequences, and keeps the last few lines.
type lineLogger struct {
	t      testing.TB
	prefix string
	mu     sync.Mutex
	buf    []byte
	tail   []string
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.log(string(l.buf[:i]))
		l.buf = l.buf[i+1:]
	}
}

// Flush logs a last line that has no newline.
func (l *lineLogger) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf) > 0 {
		l.log(string(l.buf))
		l.buf = nil
	}
}

// log logs one line; l.mu is held.
func (l *lineLogger) log(line string) {
	line = Clean(line)
	l.t.Logf("%s: %s", l.prefix, line)
	if strings.TrimSpace(line) == "" {
		return
	}
	l.tail = append(l.tail, line)
	if len(l.tail) > 5 {
		l.tail = l.tail[1:]
	}
}

// Tail returns the last lines logged, joined with " | ".
func (l *lineLogger) Tail() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.tail, " | ")
}
