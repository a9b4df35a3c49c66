package integration

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/integration/qemu"
)

// markerRE matches the line the dib-test-boot marker unit prints.
// Fields: 1 first-boot runs, 2 root UUID, 3 fstab's root UUID, 4 /boot/efi
// type, 5 rc.local after first-boot, 6 machine-id, 7 Secure Boot (bios,
// disabled, enabled), 8 kernel lockdown, 9 virtio_blk (module).
var markerRE = regexp.MustCompile(`DIB-BOOT-MARKER first-boot-runs=(\d+) root=(\S+) fstab-root=(\S+) efi=(\S+) rc-local-after-first-boot=(\S+) machine-id=(\S+) secure-boot=(\S+) lockdown=(\S+) virtio-blk=(\S+) END`)

// bootTimeout bounds a boot to its marker: the package runs two tests at a
// time under TCG, beside the other packages' builds.
const bootTimeout = 8 * time.Minute

// bootToMarker boots disk and returns the marker's fields; the guest
// powers itself off after printing it.
func bootToMarker(t *testing.T, disk, format string, opts ...qemu.Option) []string {
	t.Helper()
	start := time.Now()
	vm := qemu.StartT(t, append(opts, qemu.WithDisk(disk, format), qemu.WithSMP(2))...)
	m, err := vm.ExpectRE(markerRE, bootTimeout)
	require.NoError(t, err)
	t.Logf("boot to marker: %.1fs", time.Since(start).Seconds())
	require.NoError(t, vm.Wait(2*time.Minute), "the guest powers off after the marker")
	return m
}

// The qcow2 output boots in TestVMImageBootsWithSecureBootEnforcedAndAnUnsignedImageDoesNot.
func TestVMImageBootsUnderBIOSAndUEFIRunningFirstBootOnce(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	name := vmImage(t)
	rootUUID := bootImage.rootUUID(t)
	raw := copyDisk(t, name+".raw")

	// First boot of the raw disk, under SeaBIOS.
	m := bootToMarker(t, raw, "raw")
	assert.Equal(t, "1", m[1], "first-boot.d ran on the first boot")
	assert.Equal(t, rootUUID, m[2], "the root filesystem is the built one")
	assert.Equal(t, m[2], m[3], "the root filesystem is the one fstab names")
	assert.Equal(t, "vfat", m[4], "the ESP is mounted at /boot/efi from fstab")
	assert.Equal(t, "yes", m[5], "first-boot ran before rc.local")
	assert.Equal(t, "bios", m[7])

	// Second boot of the same disk, under OVMF: first-boot does not run again.
	m = bootToMarker(t, raw, "raw", qemu.WithUEFI())
	assert.Equal(t, "1", m[1], "first-boot.d did not run on the second boot")
	assert.Equal(t, rootUUID, m[2])
	assert.Equal(t, "disabled", m[7], "the signed chain boots without Secure Boot too")
}
