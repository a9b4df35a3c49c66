// Package extfs reads ext2, ext3 and ext4 filesystems inside a disk image,
// without mounting them, as an fs.FS that also reads symlinks
// (fs.ReadLinkFS) and lists directories (fs.ReadDirFS).
//
// The filesystem is someone else's input. Every block number, count and
// size read from it is checked against the filesystem's own block count
// before it is used; extent trees are walked at most once per block and in
// logical order, so a tree whose nodes point at one child, or at each
// other, is an error rather than a bomb; directories and symlinks are read
// only up to MaxDirSize and MaxLinkSize. Reading a regular file costs time
// in proportion to its size (holes read as zeros), so a caller that did
// not make the filesystem checks Size before reading a file.
package extfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotExt says a partition holds no ext2/3/4 superblock.
var ErrNotExt = errors.New("no ext2/3/4 superblock")

// Superblock layout (the kernel's Documentation/filesystems/ext4), only
// what reading files needs.
const (
	extMagic         = 0xef53
	rootInode        = 2
	incompatFiletype = 0x2
	incompat64bit    = 0x80
	// incompatKnown are the incompatible features a reader can ignore or
	// handles: filetype, recover, extents, 64bit, mmp, flex_bg, ea_inode,
	// csum_seed, largedir, inline_data and encrypt (both refused per
	// inode), casefold.
	incompatKnown = 0x2 | 0x4 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000
)

var le = binary.LittleEndian

// FS is an ext2, ext3 or ext4 filesystem read from an io.ReaderAt.
// It is not safe for concurrent use.
type FS struct {
	r              io.ReaderAt
	blockSize      int64
	blocks         uint64 // blocks in the filesystem: every block number is below
	groups         uint64
	inodeSize      int64
	inodesPerGroup uint32
	inodesCount    uint32
	descSize       int64
	gdtOffset      int64
	incompat       uint32
	dirs           dirCache
}

// Open reads the superblock of the filesystem in the first size bytes of
// r and checks that the filesystem fits them. A partition without an ext
// superblock gives ErrNotExt.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	sb := make([]byte, 1024)
	if size < 2048 {
		return nil, ErrNotExt
	}
	if err := readFull(r, sb, 1024); err != nil {
		return nil, fmt.Errorf("read ext superblock: %w", err)
	}
	if le.Uint16(sb[0x38:]) != extMagic {
		return nil, ErrNotExt
	}
	f := &FS{
		r:              r,
		inodesCount:    le.Uint32(sb[0x0:]),
		inodesPerGroup: le.Uint32(sb[0x28:]),
		inodeSize:      128,
		descSize:       32,
		incompat:       le.Uint32(sb[0x60:]),
		blocks:         uint64(le.Uint32(sb[0x4:])),
	}
	bad := func(format string, a ...any) (*FS, error) {
		return nil, fmt.Errorf("ext superblock: "+format, a...)
	}
	logBlock := le.Uint32(sb[0x18:])
	if logBlock > 6 {
		return bad("bad block size 2^%d KiB", logBlock)
	}
	f.blockSize = 1024 << logBlock
	if unknown := f.incompat &^ incompatKnown; unknown != 0 {
		return bad("unsupported incompatible features %#x", unknown)
	}
	if le.Uint32(sb[0x4c:]) >= 1 {
		f.inodeSize = int64(le.Uint16(sb[0x58:]))
	}
	if f.incompat&incompat64bit != 0 {
		f.blocks |= uint64(le.Uint32(sb[0x150:])) << 32
		f.descSize = int64(le.Uint16(sb[0xfe:]))
		if f.descSize < 64 || f.descSize > 1024 || f.descSize&(f.descSize-1) != 0 {
			return bad("bad group descriptor size %d", f.descSize)
		}
	}
	if f.inodeSize < 128 || f.inodeSize > f.blockSize || f.inodeSize&(f.inodeSize-1) != 0 || f.inodesPerGroup == 0 {
		return bad("bad inode size %d or %d inodes per group", f.inodeSize, f.inodesPerGroup)
	}
	if f.blocks > uint64(size/f.blockSize) {
		return bad("%d blocks of %d bytes do not fit the %d-byte partition", f.blocks, f.blockSize, size)
	}
	first, perGroup := uint64(le.Uint32(sb[0x14:])), uint64(le.Uint32(sb[0x20:]))
	if first > 1 || first >= f.blocks || perGroup == 0 || perGroup > uint64(8*f.blockSize) {
		return bad("bad layout: first data block %d, %d blocks per group, %d blocks", first, perGroup, f.blocks)
	}
	f.groups = (f.blocks - first + perGroup - 1) / perGroup
	if uint64(f.inodesCount) > f.groups*uint64(f.inodesPerGroup) {
		return bad("%d inodes do not fit %d groups of %d", f.inodesCount, f.groups, f.inodesPerGroup)
	}
	f.gdtOffset = int64(first+1) * f.blockSize
	if uint64(f.gdtOffset)+f.groups*uint64(f.descSize) > f.blocks*uint64(f.blockSize) {
		return bad("group descriptors of %d groups do not fit %d blocks", f.groups, f.blocks)
	}
	return f, nil
}

// readFull reads exactly len(p) bytes at off.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %d bytes at %d: %w", len(p), off, err)
}

// readAt reads exactly len(p) bytes at off of the filesystem.
func (f *FS) readAt(p []byte, off int64) error { return readFull(f.r, p, off) }

// readBlock reads filesystem block n, which must be one of its blocks.
func (f *FS) readBlock(n uint64) ([]byte, error) {
	if n >= f.blocks {
		return nil, fmt.Errorf("block %d is past the filesystem's %d blocks", n, f.blocks)
	}
	b := make([]byte, f.blockSize)
	return b, f.readAt(b, int64(n)*f.blockSize)
}
