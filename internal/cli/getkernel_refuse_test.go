package cli

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// TestGetKernelRefusesImagesThatNameOtherFilesWithStatusTwo: the image's
// metadata would make qemu-img read /etc/shadow as the disk.
func TestGetKernelRefusesImagesThatNameOtherFilesWithStatusTwo(t *testing.T) {
	testenv.RequireCommands(t, "qemu-img")
	dir := t.TempDir()
	img := filepath.Join(dir, "evil.qcow2")
	out, err := exec.Command("qemu-img", "create", "-q", "-f", "qcow2", "-u", "-b", "/etc/shadow", "-F", "raw", img, "1G").CombinedOutput()
	require.NoError(t, err, "%s", out)
	code, stdout, stderr := getKernel(img)
	assert.Equal(t, 2, code)
	assert.Empty(t, stdout)
	assert.Equal(t, "disk-image-get-kernel: read image "+img+": image names a backing file (/etc/shadow): refused\n", stderr)
	assertOnly(t, dir, "evil.qcow2")
}

// TestGetKernelReadsAFileNamedLikeJSONAsAFile: qemu-img, given this name,
// would read the decoy image "decoy.raw" beside it.
func TestGetKernelReadsAFileNamedLikeJSONAsAFile(t *testing.T) {
	img := image(t, "vm.raw", false)
	dir := t.TempDir()
	decoy := filepath.Join(dir, "decoy.raw")
	require.NoError(t, os.Rename(image(t, "decoy.raw", true), decoy))
	name := `json:{"driver":"raw","file":{"driver":"file","filename":"decoy.raw"}}`
	qcow := filepath.Join(dir, "vm.qcow2")
	out, err := exec.Command("qemu-img", "convert", "-f", "raw", "-O", "qcow2", img, qcow).CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.NoError(t, os.Rename(qcow, filepath.Join(dir, name)))
	t.Chdir(dir)
	code, stdout, stderr := getKernel("-o", "pxe", name)
	require.Equal(t, 0, code, stderr)
	assert.Equal(t, "pxe-vmlinuz\npxe-initrd\n", stdout)
	k, err := os.ReadFile(filepath.Join(dir, "pxe-vmlinuz"))
	require.NoError(t, err)
	assert.Equal(t, "kernel", string(k))
}

func TestGetKernelTakesProtocolNamesForFilesThatAreNotThere(t *testing.T) {
	for _, name := range []string{"nbd://127.0.0.1:10809/x", "http://127.0.0.1/x.qcow2", "iscsi://127.0.0.1/iqn.2000-01.x/0"} {
		code, stdout, stderr := getKernel("-d", t.TempDir(), name)
		assert.Equal(t, 2, code, name)
		assert.Empty(t, stdout)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		assert.Contains(t, stderr, "no such file or directory")
	}
}

// TestGetKernelFailsOnCraftedImagesInOneLine: hostile tables and
// filesystems are errors (status 1, one line), never a panic.
func TestGetKernelFailsOnCraftedImagesInOneLine(t *testing.T) {
	ext := craft.BuildExt([]craft.File{{Path: "boot/vmlinuz-1", Data: []byte("k")}, {Path: "boot/initrd.img-1", Data: []byte("i")}}, 0)
	gpt := craft.GPT(64<<10, craft.Part{Start: 40, Data: make([]byte, 512)})
	binary.LittleEndian.PutUint32(gpt[512+0x54:], 0xffffffff) // entry size
	loop := craft.GPT(int64(len(ext.Bytes))+1<<20, craft.Part{Start: 2048, Data: ext.Bytes})
	in := 2048*512 + ext.InodeOffset(ext.Inodes["boot/vmlinuz-1"])
	copy(loop[in+0x28:], craft.ExtentHeader(1, 4, 1))
	copy(loop[in+0x28+12:], craft.ExtentIndex(0, 1<<40))
	for name, b := range map[string][]byte{"gpt.raw": gpt, "extent.raw": loop} {
		img := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(img, b, 0o644))
		code, stdout, stderr := getKernel("-d", t.TempDir(), img)
		assert.Equal(t, 1, code, stderr)
		assert.Empty(t, stdout)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		t.Log(stderr)
	}
}
