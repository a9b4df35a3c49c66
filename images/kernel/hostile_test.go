package kernel

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread"
	"github.com/tripleo/diskimage-builder/images/diskread/craft"
	"github.com/tripleo/diskimage-builder/images/diskread/extfs"
)

// craftedImage writes a GPT image whose one ext4 partition is e, and
// returns its path.
func craftedImage(t *testing.T, e *craft.Ext) string {
	t.Helper()
	img := filepath.Join(t.TempDir(), "crafted.raw")
	disk := craft.GPT(int64(len(e.Bytes))+2<<20, craft.Part{Start: 2048, Data: e.Bytes})
	require.NoError(t, os.WriteFile(img, disk, 0o644))
	return img
}

// TestKernelOfHolesLargerThanTheLimitIsRefused: a kernel whose 64-bit
// size says 16 GiB, all holes; the first reader wrote 16 GiB of zeros.
func TestKernelOfHolesLargerThanTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt([]craft.File{{Path: "boot/vmlinuz-6.1.0", Data: []byte("k")},
		{Path: "boot/initrd.img-6.1.0", Data: []byte("i")}}, 0)
	in := e.InodeOffset(e.Inodes["boot/vmlinuz-6.1.0"])
	binary.LittleEndian.PutUint32(e.Bytes[in+0x6c:], 4)
	out := t.TempDir()
	_, err := Extract(context.Background(), Options{Image: craftedImage(t, e), Dir: out})
	require.EqualError(t, err, "read boot/vmlinuz-6.1.0 from image: the kernel is 17179869185 bytes, more than the 512 MiB limit")
	assertEmpty(t, out)
}

func TestInitrdLargerThanTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt([]craft.File{{Path: "boot/vmlinuz-6.1.0", Data: []byte("k")},
		{Path: "boot/initrd.img-6.1.0", Data: []byte("i")}}, 0)
	in := e.InodeOffset(e.Inodes["boot/initrd.img-6.1.0"])
	binary.LittleEndian.PutUint32(e.Bytes[in+0x4:], MaxFileSize+1)
	out := t.TempDir()
	_, err := Extract(context.Background(), Options{Image: craftedImage(t, e), Dir: out})
	require.ErrorContains(t, err, "the initrd is 536870913 bytes, more than the 512 MiB limit")
	assertEmpty(t, out)
}

// manyKernels is a filesystem with n kernels in /boot; only the oldest
// has an initrd, so every one is looked at.
func manyKernels(n int) *craft.Ext {
	files := []craft.File{{Path: "boot/initrd.img-6.1.0-amd64", Data: []byte("i")}}
	for i := range n {
		files = append(files, craft.File{Path: fmt.Sprintf("boot/vmlinuz-6.1.%d-amd64", i), Data: []byte("k")})
	}
	return craft.BuildExt(files, 0)
}

// counting counts the bytes read through it.
type counting struct {
	r io.ReaderAt
	n int64
}

func (c *counting) ReadAt(p []byte, off int64) (int, error) {
	c.n += int64(len(p))
	return c.r.ReadAt(p, off)
}

// TestThousandsOfKernelsAreLookedAtInOnePass: 8,000 vmlinuz-* entries
// read /boot once; the first reader parsed it again for each of the
// 40,000 names it looked up (5 minutes on two busy cores).
func TestThousandsOfKernelsAreLookedAtInOnePass(t *testing.T) {
	t.Parallel()
	e := manyKernels(8000)
	r := &counting{r: bytes.NewReader(e.Bytes)}
	fsys, err := extfs.Open(r, int64(len(e.Bytes)))
	require.NoError(t, err)
	b, err := FindIn(fsys)
	require.NoError(t, err)
	assert.Equal(t, Boot{Kernel: "boot/vmlinuz-6.1.0-amd64", Initrd: "boot/initrd.img-6.1.0-amd64", Version: "6.1.0-amd64"}, b)
	assert.Less(t, r.n, 2*int64(len(e.Bytes)), "bytes read of a %d-byte filesystem", len(e.Bytes))
	found, err := Find(context.Background(), craftedImage(t, e))
	require.NoError(t, err)
	assert.Equal(t, diskread.Ext, found.Filesystem)
}

// BenchmarkFindThousandsOfKernels times the search of 8,000 kernels.
func BenchmarkFindThousandsOfKernels(b *testing.B) {
	e := manyKernels(8000)
	for b.Loop() {
		fsys, err := extfs.Open(bytes.NewReader(e.Bytes), int64(len(e.Bytes)))
		require.NoError(b, err)
		_, err = FindIn(fsys)
		require.NoError(b, err)
	}
}
