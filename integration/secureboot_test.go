package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/images/imageprops"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// buildUnsigned builds the dib-test-boot image as the unsigned path makes
// it (UnsignedBoot, DIB_SECURE_BOOT=0), raw only, from the cached base the signed image
// started from; it returns the raw disk and the build log.
func buildUnsigned(dir string) (string, string, error) {
	var log lockedBuffer
	flavoursDir, err := filepath.Abs("testdata/flavours")
	if err != nil {
		return "", "", err
	}
	spec := images.Spec{
		Name: filepath.Join(dir, "unsigned"), Flavours: []string{"dib-test-boot"}, Types: []string{"raw"},
		FlavoursPath: []string{flavoursDir}, CacheDir: testenv.CacheDir(), Log: &log, UnsignedBoot: true,
	}
	_, err = images.Build(context.Background(), spec)
	return spec.Name + ".raw", log.String(), err
}

func TestVMImageBootsWithSecureBootEnforcedAndAnUnsignedImageDoesNot(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	name := vmImage(t)
	rootUUID := bootImage.rootUUID(t)
	if _, err := qemu.FindSecureBootOVMF(); err != nil {
		testenv.Unavailable(t, err.Error())
	}

	// The negative control builds (warm cache) while the signed image boots.
	type result struct {
		raw, log string
		err      error
	}
	control := make(chan result, 1)
	dir := t.TempDir()
	var wg sync.WaitGroup
	wg.Add(1)
	t.Cleanup(wg.Wait) // before dir is removed
	go func() {
		defer wg.Done()
		raw, log, err := buildUnsigned(dir)
		control <- result{raw, log, err}
	}()

	var props map[string]string
	b, err := os.ReadFile(name + ".qcow2" + imageprops.Suffix)
	require.NoError(t, err, "the properties are beside the qcow2")
	require.NoError(t, json.Unmarshal(b, &props))
	assert.Equal(t, "uefi", props["hw_firmware_type"])
	assert.Equal(t, "q35", props["hw_machine_type"])
	assert.Equal(t, "optional", props["os_secure_boot"], "hosts with and without Secure Boot take it")

	// The qcow2 output under OVMF with Secure Boot enforced, a first boot.
	qcow := copyDisk(t, name+".qcow2")
	start := time.Now()
	vm := qemu.StartT(t, qemu.WithSecureBoot(), qemu.WithDisk(qcow, "qcow2"), qemu.WithSMP(2))
	require.NoError(t, vm.Expect("EFI stub: UEFI Secure Boot is enabled", bootTimeout), "the kernel says so")
	require.NoError(t, vm.Expect("Kernel is locked down from EFI Secure Boot", time.Minute))
	m, err := vm.ExpectRE(markerRE, bootTimeout)
	require.NoError(t, err)
	t.Logf("secure boot to marker: %.1fs", time.Since(start).Seconds())
	require.NoError(t, vm.Wait(2*time.Minute), "the guest powers off after the marker")
	assert.Equal(t, "1", m[1], "first-boot.d ran once")
	assert.Equal(t, rootUUID, m[2], "the root filesystem is the built one")
	assert.Equal(t, m[2], m[3], "fstab names it by UUID")
	assert.Equal(t, "vfat", m[4], "the ESP is mounted at /boot/efi")
	assert.Equal(t, "yes", m[5])
	assert.Equal(t, "enabled", m[7], "mokutil --sb-state in the booted image")
	assert.Equal(t, "integrity", m[8], "the kernel is locked down")
	assert.Equal(t, "module", m[9], "a signed module loaded under lockdown")

	// The unsigned path's image under the same firmware: refused.
	c := <-control
	if c.err != nil {
		t.Logf("build log:\n%s", c.log)
	}
	require.NoError(t, c.err, "build the unsigned control image")
	vm = qemu.StartT(t, qemu.WithSecureBoot(), qemu.WithDisk(c.raw, "raw"))
	require.NoError(t, vm.Expect("Access Denied", 2*time.Minute), "the firmware refuses the unsigned GRUB")
	require.NoError(t, vm.Expect("No bootable option or device was found", time.Minute))
	require.NoError(t, vm.Kill())
	assert.NotRegexp(t, markerRE, vm.Console(), "the unsigned image did not boot")
	assert.NotContains(t, vm.Console(), "Linux version")
}

// lockedBuffer is a build log that goroutines may write at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
