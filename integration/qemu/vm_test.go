package qemu

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeQEMU writes a shell script that stands in for QEMU and returns its path.
func fakeQEMU(t *testing.T, script string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "fake-qemu")
	require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755))
	return p
}

func TestStartStreamsTheConsoleUntilQEMUExits(t *testing.T) {
	t.Parallel()
	bin := fakeQEMU(t, `printf 'SeaBIOS\r\n'; sleep 0.2; printf 'login: '; echo; echo "args: $*"`)
	vm := StartT(t, WithBinary(bin), WithAccel("tcg"))
	require.NoError(t, vm.Expect("login: ", 10*time.Second))
	require.NoError(t, vm.Wait(10*time.Second))
	assert.Contains(t, vm.Console(), "SeaBIOS\nlogin: \nargs: -machine q35 -accel tcg")
	assert.Contains(t, vm.Console(), "-no-reboot")
	assert.Equal(t, vm.Argv()[0], bin)
}

func TestExpectFailsAtOnceWithQEMUsErrorWhenQEMUExits(t *testing.T) {
	t.Parallel()
	bin := fakeQEMU(t, `echo 'qemu-system-x86_64: -drive file=x: Could not open' >&2; exit 1`)
	vm := StartT(t, WithBinary(bin), WithAccel("tcg"))
	start := time.Now()
	err := vm.Expect("login:", time.Minute)
	require.ErrorIs(t, err, ErrConsoleClosed)
	assert.Contains(t, err.Error(), "exit status 1: qemu-system-x86_64: -drive file=x: Could not open")
	assert.Less(t, time.Since(start), 30*time.Second)
	err = vm.Wait(time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Could not open")
}

func TestExpectTimesOutAndKillStopsAHungGuest(t *testing.T) {
	t.Parallel()
	bin := fakeQEMU(t, `echo 'Loading initial ramdisk ...'; exec sleep 60`)
	vm := StartT(t, WithBinary(bin), WithAccel("tcg"))
	err := vm.Expect("login:", 200*time.Millisecond)
	require.ErrorIs(t, err, ErrTimeout)
	assert.Contains(t, err.Error(), "\tLoading initial ramdisk ...")
	require.ErrorIs(t, vm.Wait(50*time.Millisecond), ErrTimeout)
	require.NoError(t, vm.Kill())
	assert.ErrorContains(t, vm.Wait(time.Second), "killed")
}

// recordingTB is a testing.TB whose failure, cleanups and logs the test
// controls.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	failed   bool
	cleanups []func()
	logs     []string
}

func (r *recordingTB) Helper()               {}
func (r *recordingTB) Name() string          { return "TestRecording/sub case" }
func (r *recordingTB) Cleanup(f func())      { r.cleanups = append(r.cleanups, f) }
func (r *recordingTB) Failed() bool          { return r.failed }
func (r *recordingTB) Fatalf(string, ...any) { panic("unexpected Fatalf") }
func (r *recordingTB) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}

func (r *recordingTB) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func (r *recordingTB) log() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.logs, "\n")
}

func TestCleanupOfAFailedTestKillsQEMUKeepsTheDirAndLogsTheCommand(t *testing.T) {
	t.Parallel()
	bin := fakeQEMU(t, `echo 'guest up'; exec sleep 60`)
	rt := &recordingTB{TB: t, failed: true}
	vm, err := Start(rt, WithBinary(bin), WithAccel("tcg"), WithAppend("console=ttyS0 quiet"), WithKernel("/b/vmlinuz"))
	require.NoError(t, err)
	require.NoError(t, vm.Expect("guest up", 10*time.Second))
	assert.Contains(t, filepath.Base(vm.Dir()), "qemu-TestRecording_sub_case-")

	rt.runCleanups()
	require.ErrorContains(t, vm.Wait(time.Second), "killed", "cleanup kills a running qemu")
	assert.DirExists(t, vm.Dir())
	t.Cleanup(func() { os.RemoveAll(vm.Dir()) })
	log := rt.log()
	assert.Contains(t, log, "console: guest up")
	assert.Contains(t, log, "reproduce the run with:\n"+bin+" -machine q35")
	assert.Contains(t, log, "-append 'console=ttyS0 quiet'", "the command line is shell-quoted")
	assert.Contains(t, log, "work directory kept for inspection: "+vm.Dir())
}

func TestCleanupOfAPassingTestRemovesTheWorkDir(t *testing.T) {
	t.Parallel()
	bin := fakeQEMU(t, `echo done`)
	rt := &recordingTB{TB: t}
	vm, err := Start(rt, WithBinary(bin), WithAccel("tcg"), WithSeaBIOSConsole())
	require.NoError(t, err)
	require.NoError(t, vm.Wait(10*time.Second))
	assert.FileExists(t, filepath.Join(vm.Dir(), seaBIOSConsoleFile), "start writes the files the command line names")

	rt.runCleanups()
	assert.NoDirExists(t, vm.Dir())
	assert.NotContains(t, rt.log(), "reproduce")
}

func TestStartCopiesTheUEFIVariablesIntoTheWorkDir(t *testing.T) {
	t.Parallel()
	fwDir := t.TempDir()
	fw := Firmware{Code: filepath.Join(fwDir, "CODE.fd"), Vars: filepath.Join(fwDir, "VARS.fd")}
	require.NoError(t, os.WriteFile(fw.Code, []byte("code"), 0o644))
	require.NoError(t, os.WriteFile(fw.Vars, []byte("vars"), 0o444))
	vm := StartT(t, WithBinary(fakeQEMU(t, `exit 0`)), WithAccel("tcg"), WithOVMF(fw))
	require.NoError(t, vm.Wait(10*time.Second))
	got, err := os.ReadFile(filepath.Join(vm.Dir(), "VARS.fd"))
	require.NoError(t, err)
	assert.Equal(t, "vars", string(got))
	assert.Contains(t, vm.Argv(), "if=pflash,format=raw,unit=1,file="+filepath.Join(vm.Dir(), "VARS.fd"))
}
