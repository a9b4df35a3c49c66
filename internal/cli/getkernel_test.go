package cli

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// image makes a bare ext4 image named name in a new directory, holding a
// kernel and initrd unless empty is set.
func image(t *testing.T, name string, empty bool) string {
	t.Helper()
	testenv.RequireCommands(t, "mkfs.ext4", "qemu-img")
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "boot"), 0o755))
	if !empty {
		require.NoError(t, os.WriteFile(filepath.Join(root, "boot/vmlinuz-6.12.10-amd64"), []byte("kernel"), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(root, "boot/initrd.img-6.12.10-amd64"), []byte("initrd"), 0o600))
	}
	img := filepath.Join(t.TempDir(), name)
	out, err := exec.Command("mkfs.ext4", "-q", "-d", root, img, "8M").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return img
}

// cli runs Main and returns its status, stdout and stderr.
func getKernel(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := DiskImageGetKernel(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestGetKernelWritesPrefixFilesBesideImageAndPrintsThem(t *testing.T) {
	img := image(t, "vm.qcow2.raw", false)
	code, stdout, stderr := getKernel(img)
	require.Equal(t, 0, code, stderr)
	base := strings.TrimSuffix(img, ".raw")
	assert.Equal(t, base+"-vmlinuz\n"+base+"-initrd\n", stdout)
	k, err := os.ReadFile(base + "-vmlinuz")
	require.NoError(t, err)
	assert.Equal(t, "kernel", string(k))
}

func TestGetKernelTakesDirPrefixAndImageOptions(t *testing.T) {
	img := image(t, "vm.raw", false)
	out := t.TempDir()
	code, stdout, stderr := getKernel("-d", out, "-o", "pxe", "-i", img)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, filepath.Join(out, "pxe-vmlinuz")+"\n"+filepath.Join(out, "pxe-initrd")+"\n", stdout)
	i, err := os.ReadFile(filepath.Join(out, "pxe-initrd"))
	require.NoError(t, err)
	assert.Equal(t, "initrd", string(i))
}

func TestGetKernelHelpExitsZero(t *testing.T) {
	code, stdout, _ := getKernel("-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, stdout, "Usage: disk-image-get-kernel")
	assert.Contains(t, stdout, "--dir")
}

func TestGetKernelRejectsBadArgumentsWithStatusTwoAndOneLine(t *testing.T) {
	img := image(t, "vm.raw", false)
	dir := filepath.Dir(img)
	out := t.TempDir()
	for _, args := range [][]string{
		{},
		{"--no-such-flag", img},
		{img, img},
		{"-i", img, filepath.Join(dir, "other.raw")},
		{"-d", out, filepath.Join(dir, "missing.qcow2")},
		{"-d", filepath.Join(out, "missing"), img},
		{"-d", img, img},
		{"-d", out, dir},
	} {
		code, stdout, stderr := getKernel(args...)
		assert.Equal(t, 2, code, "%q: %s", args, stderr)
		assert.Empty(t, stdout, "%q", args)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), "%q: %s", args, stderr)
	}
	assertOnly(t, dir, "vm.raw")
	assertOnly(t, out)
}

func TestGetKernelFailsOnUnwritableDirectoryLeavingNothing(t *testing.T) {
	img := image(t, "vm.raw", false)
	// Root ignores permission bits, but not /proc's refusal of new files.
	code, stdout, stderr := getKernel("-d", "/proc", img)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.Contains(t, stderr, "/proc/vm-vmlinuz")
}

func TestGetKernelWithoutKernelFailsInOneLineLeavingNothing(t *testing.T) {
	img := image(t, "empty.raw", true)
	code, stdout, stderr := getKernel(img)
	assert.Equal(t, 1, code)
	assert.Empty(t, stdout)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
	assert.Contains(t, stderr, "no kernel found")
	assertOnly(t, filepath.Dir(img), "empty.raw")
}

// TestGetKernelTraceLogsCommands: -x shows each qemu-img command, with
// the format named and the image given as an inherited file.
func TestGetKernelTraceLogsCommands(t *testing.T) {
	raw := image(t, "vm.raw", false)
	img := filepath.Join(t.TempDir(), "vm.qcow2")
	out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw, img).CombinedOutput()
	require.NoError(t, err, "%s", out)
	code, _, stderr := getKernel("-x", "-d", t.TempDir(), img)
	require.Equal(t, 0, code, stderr)
	for _, want := range []string{"qemu-img info --output=json", "qemu-img convert -q -n -O raw",
		`\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\",\"filename\":\"/proc/self/fd/0\"}`} {
		assert.Contains(t, stderr, want)
	}
}

// assertOnly checks that dir holds exactly the named files.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	assert.ElementsMatch(t, names, got, dir)
}
