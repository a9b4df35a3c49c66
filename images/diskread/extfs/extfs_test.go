package extfs

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// sample is a small tree with a file of several blocks, a directory, a
// short and a long symlink.
func sample() []craft.File {
	return []craft.File{
		{Path: "boot/vmlinuz-6.1.0-28-amd64", Data: bytes.Repeat([]byte("kernel "), 700)},
		{Path: "boot/initrd.img-6.1.0-28-amd64", Data: []byte("initrd")},
		{Path: "etc/hostname", Data: []byte("craft\n")},
		{Path: "vmlinuz", Link: "boot/vmlinuz-6.1.0-28-amd64"},
		{Path: "initrd.img", Link: "/" + strings.Repeat("./", 40) + "boot/initrd.img-6.1.0-28-amd64"},
		{Path: "empty", Dir: true},
	}
}

func open(t *testing.T, b []byte) *FS {
	t.Helper()
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	return f
}

func TestReadsCraftedFilesystemAsAnFS(t *testing.T) {
	t.Parallel()
	f := open(t, craft.BuildExt(sample(), 0).Bytes)
	require.NoError(t, fstest.TestFS(f, "boot/vmlinuz-6.1.0-28-amd64", "etc/hostname", "empty", "vmlinuz", "initrd.img"))
	k, err := fs.ReadFile(f, "vmlinuz")
	require.NoError(t, err)
	assert.Equal(t, sample()[0].Data, k)
	target, err := f.ReadLink("initrd.img")
	require.NoError(t, err)
	assert.Equal(t, sample()[4].Link, target)
	i, err := fs.ReadFile(f, "initrd.img")
	require.NoError(t, err)
	assert.Equal(t, "initrd", string(i))
	info, err := f.Lstat("vmlinuz")
	require.NoError(t, err)
	assert.Equal(t, fs.ModeSymlink, info.Mode().Type())
}

// TestReadsWhatMkfsMakes reads filesystems made by mkfs from a directory:
// ext4 with extents and ext2 with indirect blocks (1 KiB blocks, a file
// past the double indirect block).
func TestReadsWhatMkfsMakes(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "mkfs.ext4")
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 300<<10/16)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "boot/grub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "boot/vmlinuz-1"), big, 0o644))
	require.NoError(t, os.Symlink("boot/vmlinuz-1", filepath.Join(dir, "vmlinuz")))
	for _, kind := range []string{"ext4", "ext2"} {
		img := filepath.Join(t.TempDir(), kind)
		out, err := exec.Command("mkfs."+kind, "-q", "-b", "1024", "-d", dir, img, "2M").CombinedOutput()
		require.NoError(t, err, "%s", out)
		b, err := os.ReadFile(img)
		require.NoError(t, err)
		f := open(t, b)
		require.NoError(t, fstest.TestFS(f, "boot/vmlinuz-1", "boot/grub", "vmlinuz"), kind)
		got, err := fs.ReadFile(f, "vmlinuz")
		require.NoError(t, err)
		assert.True(t, bytes.Equal(big, got), kind)
	}
}

func TestNotExtIsErrNotExt(t *testing.T) {
	t.Parallel()
	_, err := Open(bytes.NewReader(make([]byte, 8192)), 8192)
	require.ErrorIs(t, err, ErrNotExt)
}
