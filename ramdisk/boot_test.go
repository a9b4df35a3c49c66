package ramdisk_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// bootTimeout bounds a ramdisk boot under TCG on a busy machine.
const bootTimeout = 5 * time.Minute

// testRamdisk is the target-root ramdisk of the ramdisk-test flavour.
func testRamdisk(t *testing.T) *ramdisk.Result {
	needBuild(t)
	testenv.RequireCommands(t, qemu.DefaultBinary)
	return buildOnce(t, "test", ramdisk.Spec{Flavours: []string{"ramdisk-test"}, FlavoursPath: []string{testFlavoursDir(t)}})
}

// bootRamdisk boots res's kernel and initramfs with user networking.
func bootRamdisk(t *testing.T, res *ramdisk.Result, opts ...qemu.Option) *qemu.VM {
	t.Helper()
	base := []qemu.Option{qemu.WithKernel(res.Kernel), qemu.WithInitramfs(res.Initramfs), qemu.WithMemory(768),
		qemu.WithAppend("console=ttyS0", "quiet"), qemu.WithUserNet()}
	return qemu.StartT(t, append(base, opts...)...)
}

func TestARamdiskBootsItsKernelLoadsTheMellanoxDriversAndAFragmentRunsABinaryDep(t *testing.T) {
	t.Parallel()
	res := testRamdisk(t)
	start := time.Now()
	vm := bootRamdisk(t, res)
	require.NoError(t, vm.Expect("DIB-RAMDISK-MODULES loaded: mlx4_core mlx4_en mlx4_ib mlx5_core mlx5_ib END", bootTimeout),
		"the mellanox flavour's drivers and their dependencies are in the ramdisk and load")
	require.NoError(t, vm.Expect("DIB-RAMDISK-MARKER findmnt says /proc is proc", time.Minute))
	t.Logf("boot to the marker under TCG: %.1fs", time.Since(start).Seconds())
	require.NoError(t, vm.Expect("init: rebooting", time.Minute))
	require.NoError(t, vm.Wait(time.Minute), "the ramdisk reboots at the end, which ends QEMU")
}

func TestAFailingFragmentOpensTheTroubleshootingShellWithTheReason(t *testing.T) {
	t.Parallel()
	res := testRamdisk(t)
	vm := bootRamdisk(t, res, qemu.WithAppend("dib_test_fail"))
	require.NoError(t, vm.Expect("ERROR: init fragment from ramdisk-test failed with status 1", bootTimeout))
	require.NoError(t, vm.Expect("starting a troubleshooting shell (init fragment from ramdisk-test failed", time.Minute))
	require.NotContains(t, vm.Console(), "DIB-RAMDISK-MARKER", "the fragment stopped at its failure")
	require.NoError(t, vm.Kill())
}
