package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/diskread/parttable"
	"github.com/tripleo/diskimage-builder/images/kernel"
	"github.com/tripleo/diskimage-builder/integration/qemu"
)

func TestTheKernelOfABuiltImageIsTheSameFromQcow2AndRaw(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	name := vmImage(t)
	ctx := context.Background()
	dir := t.TempDir()
	fromRaw, err := kernel.Extract(ctx, kernel.Options{Image: name + ".raw", Dir: dir, Prefix: "raw"})
	require.NoError(t, err)
	fromQcow, err := kernel.Extract(ctx, kernel.Options{Image: name + ".qcow2", Dir: dir, Prefix: "qcow2"})
	require.NoError(t, err)
	assert.Equal(t, fromRaw.Version, fromQcow.Version)
	assert.Equal(t, "gpt", fromRaw.Found.Table)
	assert.Equal(t, 3, fromRaw.Found.Partition.Number, "the kernel is on the root partition")
	for _, pair := range [][2]string{{fromRaw.Kernel, fromQcow.Kernel}, {fromRaw.Initrd, fromQcow.Initrd}} {
		a, err := os.ReadFile(pair[0])
		require.NoError(t, err)
		b, err := os.ReadFile(pair[1])
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s and %s differ", pair[0], pair[1])
		assert.Greater(t, len(a), 1<<20)
		fi, _ := os.Stat(pair[0])
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "world-readable")
	}
	// The bytes are those of the kernel the image's packages installed.
	want := extractWithDebugfs(t, name+".raw", "/boot/vmlinuz-"+fromRaw.Version)
	got, _ := os.ReadFile(fromRaw.Kernel)
	assert.True(t, bytes.Equal(want, got), "the kernel matches what debugfs reads")
}

func TestTheExtractedKernelAndInitrdBootTheImage(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	name := vmImage(t)
	res, err := kernel.Extract(context.Background(), kernel.Options{Image: name + ".qcow2", Dir: t.TempDir()})
	require.NoError(t, err)
	raw := copyDisk(t, name+".raw")
	start := time.Now()
	vm := qemu.StartT(t, qemu.WithKernel(res.Kernel), qemu.WithInitramfs(res.Initrd),
		qemu.WithAppend("root=UUID="+bootImage.rootUUID(t), "ro", "console=ttyS0,115200n8"),
		qemu.WithDisk(raw, "raw"), qemu.WithSMP(2))
	m, err := vm.ExpectRE(markerRE, bootTimeout)
	require.NoError(t, err)
	t.Logf("direct kernel boot to marker: %.1fs", time.Since(start).Seconds())
	assert.Equal(t, bootImage.rootUUID(t), m[2])
	require.NoError(t, vm.Wait(2*time.Minute))
}

// extractWithDebugfs reads path from the root partition of a raw image with
// e2fsprogs' debugfs, as an independent oracle.
func extractWithDebugfs(t *testing.T, raw, path string) []byte {
	t.Helper()
	fh, err := os.Open(raw)
	require.NoError(t, err)
	defer fh.Close()
	fi, err := fh.Stat()
	require.NoError(t, err)
	_, parts, err := parttable.Read(fh, fi.Size())
	require.NoError(t, err)
	require.Len(t, parts, 3)
	root := parts[2]
	require.Equal(t, disk.TypeLinux, strings.ToUpper(root.Type), "the third partition is the root")
	start := root.Start / 512
	dst := filepath.Join(t.TempDir(), "oracle")
	cmd := exec.Command("debugfs", "-R", "dump "+path+" "+dst, raw+"?offset="+strconv.FormatInt(start*512, 10))
	outb, err := cmd.CombinedOutput()
	require.NoError(t, err, string(outb))
	data, err := os.ReadFile(dst)
	require.NoError(t, err, string(outb))
	return data
}
