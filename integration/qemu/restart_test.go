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

// panicky is a stand-in QEMU that counts its runs in its work directory and
// runs the shell code for that run (first, second, later).
func panicky(t *testing.T, first, second string) string {
	return fakeQEMU(t, `n=$(cat runs 2>/dev/null || echo 0); n=$((n+1)); echo $n > runs
if [ $n = 1 ]; then `+first+`; else `+second+`; fi`)
}

const (
	idlePanic = `echo '[    0.789490] Kernel panic - not syncing: Attempted to kill the idle task!'; exec sleep 60`
	bootsFine = `echo '[    7.9] Run /init as init process'; echo 'login: '; exec sleep 60`
)

// logs collects what a VM logs.
type logs struct {
	mu    sync.Mutex
	lines []string
}

func (l *logs) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func runs(t *testing.T, vm *VM) string {
	b, err := os.ReadFile(filepath.Join(vm.Dir(), "runs"))
	require.NoError(t, err)
	return strings.TrimSpace(string(b))
}

func TestAKernelThatPanicsBeforeItStartsIsBootedAgainOnce(t *testing.T) {
	t.Parallel()
	var l logs
	vm, err := Launch(l.logf, WithBinary(panicky(t, idlePanic, bootsFine)), WithAccel("tcg"))
	require.NoError(t, err)
	defer vm.Close()
	require.NoError(t, vm.Expect("login: ", 20*time.Second))
	assert.Equal(t, "2", runs(t, vm))
	assert.Contains(t, vm.Console(), "Attempted to kill the idle task!\n[    7.9] Run /init as init process", "one console, both runs")
	assert.Contains(t, l.String(), "starting QEMU again (once)")
	require.NoError(t, vm.Type("x"), "the console takes input from the QEMU now running")
}

func TestAPanicAfterTheKernelReadTheImageIsNotRetried(t *testing.T) {
	t.Parallel()
	after := `echo 'Trying to unpack rootfs image as initramfs...'; echo 'Kernel panic - not syncing: VFS: Unable to mount root fs'; exec sleep 60`
	vm, err := Launch(nil, WithBinary(panicky(t, after, bootsFine)), WithAccel("tcg"))
	require.NoError(t, err)
	defer vm.Close()
	require.NoError(t, vm.Expect("Unable to mount root fs", 10*time.Second))
	require.ErrorIs(t, vm.Expect("login: ", 2*time.Second), ErrTimeout)
	assert.Equal(t, "1", runs(t, vm))
}

func TestAKernelThatPanicsEarlyAgainFailsAfterOneRestart(t *testing.T) {
	t.Parallel()
	vm, err := Launch(nil, WithBinary(panicky(t, idlePanic, idlePanic)), WithAccel("tcg"))
	require.NoError(t, err)
	defer vm.Close()
	require.ErrorIs(t, vm.Expect("login: ", 3*time.Second), ErrTimeout)
	assert.Equal(t, "2", runs(t, vm))
	assert.Equal(t, 2, strings.Count(vm.Console(), "Kernel panic"))
	require.NoError(t, vm.Kill())
}
