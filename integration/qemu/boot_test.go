package qemu

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestSeaBIOSBootsToNoBootableDeviceAndTheRebootEndsQEMU(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, DefaultBinary)
	vm := StartT(t, WithMemory(64), WithSeaBIOSConsole(), WithExtraArgs("-boot", "reboot-timeout=0"))
	require.NoError(t, vm.Expect("SeaBIOS (version", 30*time.Second))
	require.NoError(t, vm.Expect("No bootable device", 30*time.Second))
	require.NoError(t, vm.Wait(30*time.Second), "-no-reboot turns the firmware's reboot into an exit")
}

func TestOVMFBootsToTheUEFIShell(t *testing.T) {
	t.Parallel()
	testenv.Short(t)
	testenv.RequireCommands(t, DefaultBinary)
	if _, err := FindOVMF(); err != nil {
		testenv.Unavailable(t, err.Error())
	}
	vm := StartT(t, WithUEFI(), WithMemory(256))
	require.NoError(t, vm.Expect("UEFI Interactive Shell", 2*time.Minute))
	require.NoError(t, vm.Kill())
	matches, err := filepath.Glob(filepath.Join(vm.Dir(), "OVMF_VARS*"))
	require.NoError(t, err)
	assert.NotEmpty(t, matches, "the variable store is a copy in the work directory")
}
