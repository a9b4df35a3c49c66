package extfs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
)

// Each test here crafts a hostile filesystem that made the first reader
// panic, loop or allocate without bound, and checks that it is now an
// error.

// counting counts the bytes read through it.
type counting struct {
	r io.ReaderAt
	n int64
}

func (c *counting) ReadAt(p []byte, off int64) (int, error) {
	c.n += int64(len(p))
	return c.r.ReadAt(p, off)
}

// kernelImage is a filesystem with one 4-block kernel and room for tree
// blocks at its end; it returns the image and the kernel's inode offset.
func kernelImage(extra int) (*craft.Ext, int64) {
	e := craft.BuildExt([]craft.File{{Path: "boot/vmlinuz-1", Data: bytes.Repeat([]byte{'k'}, 4*craft.ExtBlockSize)},
		{Path: "boot/loop-a", Link: "loop-b"}, {Path: "boot/loop-b", Link: "/boot/loop-a"}}, extra)
	return e, e.InodeOffset(e.Inodes["boot/vmlinuz-1"])
}

// freeBlock returns the number of the i-th extra block at the image's end.
func freeBlock(e *craft.Ext, extra, i int) uint64 {
	return uint64(len(e.Bytes)/craft.ExtBlockSize - extra + i)
}

// node writes an extent tree node: a header, then entries.
func node(dst []byte, max, depth int, entries ...[]byte) {
	copy(dst, craft.ExtentHeader(len(entries), max, depth))
	for i, e := range entries {
		copy(dst[12+12*i:], e)
	}
}

func readKernel(t *testing.T, e *craft.Ext) error {
	t.Helper()
	_, err := fs.ReadFile(open(t, e.Bytes), "boot/vmlinuz-1")
	return err
}

func TestInodeFileSizeWithHighBitSetIsAnError(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt(sample(), 0)
	in := e.InodeOffset(e.Inodes["vmlinuz"])
	binary.LittleEndian.PutUint32(e.Bytes[in+0x6c:], 0x80000000)
	f := open(t, e.Bytes)
	_, err := f.ReadLink("vmlinuz")
	require.ErrorContains(t, err, "size 9223372036854775835 is out of range")
	_, err = fs.ReadFile(f, "vmlinuz")
	require.Error(t, err)
}

func TestSuperblockInodeSizeWithHighBitSetIsRefused(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt(sample(), 0)
	binary.LittleEndian.PutUint16(e.Bytes[1024+0x58:], 0x8080)
	_, err := Open(bytes.NewReader(e.Bytes), int64(len(e.Bytes)))
	require.ErrorContains(t, err, "bad inode size 32896")
}

// TestExtentTreeWhoseIndexNodesPointAtOneChildIsRefused is the fan-out
// bomb: every index entry of three levels names the same child, so a
// walk that trusts them maps 4 x 84 x 84 x 84 extents from four blocks.
func TestExtentTreeWhoseIndexNodesPointAtOneChildIsRefused(t *testing.T) {
	t.Parallel()
	e, in := kernelImage(3)
	x, y, z := freeBlock(e, 3, 0), freeBlock(e, 3, 1), freeBlock(e, 3, 2)
	fan := func(child uint64) [][]byte {
		var out [][]byte
		for i := range 84 {
			out = append(out, craft.ExtentIndex(uint32(i), child))
		}
		return out
	}
	var leaves [][]byte
	for i := range 84 {
		leaves = append(leaves, craft.ExtentLeaf(uint32(i), 1, 1))
	}
	node(e.Bytes[in+0x28:], 4, 3, fan(x)[:4]...)
	node(e.Block(x), 84, 2, fan(y)...)
	node(e.Block(y), 84, 1, fan(z)...)
	node(e.Block(z), 84, 0, leaves...)
	binary.LittleEndian.PutUint32(e.Bytes[in+0x4:], 0xffffffff) // a 4 GiB file
	r := &counting{r: bytes.NewReader(e.Bytes)}
	f, err := Open(r, int64(len(e.Bytes)))
	require.NoError(t, err)
	file, err := f.Open("boot/vmlinuz-1")
	require.NoError(t, err)
	_, err = io.Copy(io.Discard, file)
	require.Error(t, err)
	assert.Regexp(t, "is reached twice|out of order", err.Error())
	assert.Less(t, r.n, int64(64<<10), "bytes read")
}

func TestExtentTreeNodeThatPointsAtItselfIsRefused(t *testing.T) {
	t.Parallel()
	e, in := kernelImage(1)
	x := freeBlock(e, 1, 0)
	node(e.Bytes[in+0x28:], 4, 2, craft.ExtentIndex(0, x))
	node(e.Block(x), 84, 1, craft.ExtentIndex(0, x))
	require.ErrorContains(t, readKernel(t, e), "is reached twice")
}

func TestExtentTreeDepthThatDoesNotFallIsRefused(t *testing.T) {
	t.Parallel()
	e, in := kernelImage(1)
	x := freeBlock(e, 1, 0)
	node(e.Bytes[in+0x28:], 4, 1, craft.ExtentIndex(0, x))
	node(e.Block(x), 84, 1, craft.ExtentIndex(0, x))
	require.ErrorContains(t, readKernel(t, e), "depth 1 where 0 was expected")
}

func TestOverlappingExtentsAreRefused(t *testing.T) {
	t.Parallel()
	e, in := kernelImage(0)
	node(e.Bytes[in+0x28:], 4, 0, craft.ExtentLeaf(0, 4, 1), craft.ExtentLeaf(2, 4, 1))
	require.ErrorContains(t, readKernel(t, e), "out of order")
}

func TestExtentOutsideTheFilesystemIsRefused(t *testing.T) {
	t.Parallel()
	e, in := kernelImage(0)
	blocks := uint64(len(e.Bytes) / craft.ExtBlockSize)
	node(e.Bytes[in+0x28:], 4, 0, craft.ExtentLeaf(0, 4, blocks-2))
	require.ErrorContains(t, readKernel(t, e), "outside the filesystem")
}

func TestBlockPointerOutsideTheFilesystemIsRefused(t *testing.T) {
	t.Parallel()
	e, in := kernelImage(0)
	binary.LittleEndian.PutUint32(e.Bytes[in+0x20:], 0) // no extents: ext2 block map
	clear(e.Bytes[in+0x28 : in+0x28+60])
	binary.LittleEndian.PutUint32(e.Bytes[in+0x28+4*12:], 1<<30) // the single indirect block
	binary.LittleEndian.PutUint32(e.Bytes[in+0x4:], 1<<20)
	require.ErrorContains(t, readKernel(t, e), "past the filesystem's")
}

func TestFilesystemLargerThanItsPartitionIsRefused(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt(sample(), 0)
	_, err := Open(bytes.NewReader(e.Bytes), int64(len(e.Bytes))-craft.ExtBlockSize)
	require.ErrorContains(t, err, "do not fit the")
}

func TestInodeCountBeyondItsGroupsIsRefused(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt(sample(), 0)
	binary.LittleEndian.PutUint32(e.Bytes[1024:], 0xffffffff)
	_, err := Open(bytes.NewReader(e.Bytes), int64(len(e.Bytes)))
	require.ErrorContains(t, err, "inodes do not fit")
}

func TestCorruptDirectoryEntryIsAnError(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt(sample(), 0)
	root := e.InodeOffset(2)
	first := uint64(binary.LittleEndian.Uint32(e.Bytes[root+0x28+12+8:]))
	binary.LittleEndian.PutUint16(e.Block(first)[12+4:], 0) // ".."'s record length
	_, err := open(t, e.Bytes).ReadDir(".")
	require.ErrorContains(t, err, "corrupt directory entry at 12")
}

func TestDirectoryOfHolesLargerThanTheLimitIsRefused(t *testing.T) {
	t.Parallel()
	e := craft.BuildExt(sample(), 0)
	in := e.InodeOffset(e.Inodes["empty"])
	binary.LittleEndian.PutUint32(e.Bytes[in+0x6c:], 1) // 4 GiB and more
	_, err := open(t, e.Bytes).ReadDir("empty")
	require.ErrorContains(t, err, "more than the 16777216 a directory or link may have")
}

func TestSymlinkLoopIsAnError(t *testing.T) {
	t.Parallel()
	e, _ := kernelImage(0)
	_, err := open(t, e.Bytes).Open("boot/loop-a")
	require.ErrorContains(t, err, "too many levels of symbolic links")
}

// TestLookingUpThousandsOfNamesParsesTheirDirectoryOnce: 16,000 lookups
// in a directory of 8,000 entries read the directory once and then a few
// inodes each (the first reader read the whole directory each time: 4 GB).
func TestLookingUpThousandsOfNamesParsesTheirDirectoryOnce(t *testing.T) {
	t.Parallel()
	var files []craft.File
	for i := range 8000 {
		files = append(files, craft.File{Path: fmt.Sprintf("boot/vmlinuz-6.1.%d-amd64", i)})
	}
	e := craft.BuildExt(files, 0)
	r := &counting{r: bytes.NewReader(e.Bytes)}
	f, err := Open(r, int64(len(e.Bytes)))
	require.NoError(t, err)
	ents, err := f.ReadDir("boot")
	require.NoError(t, err)
	require.Len(t, ents, 8000)
	for _, ent := range ents {
		_, err := f.Lstat("boot/" + ent.Name())
		require.NoError(t, err)
		_, err = f.Lstat("boot/initrd.img-" + ent.Name()[len("vmlinuz-"):])
		require.ErrorIs(t, err, fs.ErrNotExist)
	}
	assert.Less(t, r.n, int64(len(e.Bytes))+16000*1024, "bytes read for a %d-byte image", len(e.Bytes))
}
