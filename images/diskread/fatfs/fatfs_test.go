package fatfs

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// sample is a small tree: a kernel of several clusters, a subdirectory.
func sample() []craft.File {
	return []craft.File{
		{Path: "vmlinuz-6.12.10-amd64", Data: bytes.Repeat([]byte("kernel "), 300)},
		{Path: "initramfs-6.12.10-amd64.img", Data: []byte("initrd")},
		{Path: "EFI/BOOT/BOOTX64.EFI", Data: []byte("efi")},
		{Path: "empty.txt"},
	}
}

func open(t *testing.T, b []byte) *FS {
	t.Helper()
	f, err := Open(bytes.NewReader(b), int64(len(b)))
	require.NoError(t, err)
	return f
}

func TestReadsCraftedFAT12AndFAT16(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ bits, clusters int }{{12, 200}, {16, 4200}} {
		f := open(t, craft.BuildFAT(c.bits, c.clusters, sample()).Bytes)
		assert.Equal(t, c.bits, f.bits)
		require.NoError(t, fstest.TestFS(f, "vmlinuz-6.12.10-amd64", "EFI/BOOT/BOOTX64.EFI", "empty.txt"))
		k, err := fs.ReadFile(f, "VMLINUZ-6.12.10-amd64")
		require.NoError(t, err, "names are matched without regard to case")
		assert.Equal(t, sample()[0].Data, k)
	}
}

// TestReadsWhatMkfsAndMtoolsMake reads FAT12, FAT16 and FAT32 made by
// mkfs.vfat and filled by mcopy: long names, and short names that mtools
// records upper-case or with lower-case flags.
func TestReadsWhatMkfsAndMtoolsMake(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "mkfs.vfat", "mcopy")
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 200<<10/16)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "EFI/debian"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "vmlinuz-6.12.10-amd64"), big, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "EFI/debian/grub.cfg"), []byte("cfg"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README"), []byte("upper"), 0o644))
	for _, c := range []struct {
		bits string
		kib  string
	}{{"12", "1024"}, {"16", "20000"}, {"32", "40000"}} {
		img := filepath.Join(t.TempDir(), "fat"+c.bits)
		out, err := exec.Command("mkfs.vfat", "-C", "-F", c.bits, img, c.kib).CombinedOutput()
		require.NoError(t, err, "%s", out)
		for _, name := range []string{"vmlinuz-6.12.10-amd64", "EFI", "README"} {
			cmd := exec.Command("mcopy", "-s", "-i", img, filepath.Join(dir, name), "::/")
			cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
		}
		b, err := os.ReadFile(img)
		require.NoError(t, err)
		f := open(t, b)
		require.NoError(t, fstest.TestFS(f, "vmlinuz-6.12.10-amd64", "EFI/debian/grub.cfg", "README"), "FAT%s", c.bits)
		got, err := fs.ReadFile(f, "vmlinuz-6.12.10-amd64")
		require.NoError(t, err)
		assert.True(t, bytes.Equal(big, got), "FAT%s", c.bits)
	}
}

func TestNotFATIsErrNotFAT(t *testing.T) {
	t.Parallel()
	_, err := Open(bytes.NewReader(make([]byte, 8192)), 8192)
	require.ErrorIs(t, err, ErrNotFAT)
}
