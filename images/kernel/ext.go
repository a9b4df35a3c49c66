package kernel

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// errNotExt says a partition holds no ext2/3/4 superblock.
var errNotExt = errors.New("no ext2/3/4 superblock")

// Superblock and inode layout of ext2/3/4 (see the kernel's
// Documentation/filesystems/ext4), only what reading files needs.
const (
	extMagic          = 0xef53
	extRootInode      = 2
	incompatFiletype  = 0x2
	incompatMetaBG    = 0x10
	incompat64bit     = 0x80
	inodeExtentsFlag  = 0x80000
	inodeInlineFlag   = 0x10000000
	inodeEncryptFlag  = 0x800
	extInodeBlockSize = 60
	// incompatKnown are the incompatible features a reader can ignore or
	// handles: filetype, recover, extents, 64bit, mmp, flex_bg, ea_inode,
	// csum_seed, largedir, inline_data and encrypt (both refused per
	// inode), casefold.
	incompatKnown = 0x2 | 0x4 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000
)

var le = binary.LittleEndian

// extFS reads an ext2, ext3 or ext4 filesystem from r without mounting it.
type extFS struct {
	r              io.ReaderAt
	blockSize      int64
	inodeSize      int64
	inodesPerGroup uint32
	inodesCount    uint32
	descSize       int64
	gdtOffset      int64
	incompat       uint32
}

// extInode is the part of an inode that reading needs.
type extInode struct {
	num   uint32
	mode  uint16
	size  int64
	mtime uint32
	flags uint32
	block [extInodeBlockSize]byte
}

// openExt reads the superblock of the filesystem in r.
func openExt(r io.ReaderAt) (*extFS, error) {
	sb := make([]byte, 1024)
	if _, err := r.ReadAt(sb, 1024); err != nil {
		return nil, fmt.Errorf("read ext superblock: %w", err)
	}
	if le.Uint16(sb[0x38:]) != extMagic {
		return nil, errNotExt
	}
	f := &extFS{
		r:              r,
		inodesCount:    le.Uint32(sb[0x0:]),
		inodesPerGroup: le.Uint32(sb[0x28:]),
		inodeSize:      128,
		descSize:       32,
		incompat:       le.Uint32(sb[0x60:]),
	}
	logBlock := le.Uint32(sb[0x18:])
	if logBlock > 6 {
		return nil, fmt.Errorf("ext superblock: bad block size 2^%d KiB", logBlock)
	}
	f.blockSize = 1024 << logBlock
	if le.Uint32(sb[0x4c:]) >= 1 {
		f.inodeSize = int64(le.Uint16(sb[0x58:]))
	}
	if f.incompat&incompat64bit != 0 {
		if d := int64(le.Uint16(sb[0xfe:])); d >= 64 {
			f.descSize = d
		}
	}
	if unknown := f.incompat &^ incompatKnown; unknown != 0 {
		return nil, fmt.Errorf("ext superblock: unsupported incompatible features %#x", unknown)
	}
	if f.inodeSize < 128 || f.inodeSize > f.blockSize || f.inodesPerGroup == 0 {
		return nil, fmt.Errorf("ext superblock: bad inode size %d or %d inodes per group", f.inodeSize, f.inodesPerGroup)
	}
	f.gdtOffset = (int64(le.Uint32(sb[0x14:])) + 1) * f.blockSize
	return f, nil
}

// readAt reads exactly len(p) bytes at off.
func (f *extFS) readAt(p []byte, off int64) error {
	n, err := f.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %d bytes at %d: %w", len(p), off, err)
}

// readBlock reads filesystem block n.
func (f *extFS) readBlock(n uint64) ([]byte, error) {
	b := make([]byte, f.blockSize)
	return b, f.readAt(b, int64(n)*f.blockSize)
}

// inode reads inode number n.
func (f *extFS) inode(n uint32) (*extInode, error) {
	if n == 0 || n > f.inodesCount {
		return nil, fmt.Errorf("read inode %d: out of range", n)
	}
	group, index := int64((n-1)/f.inodesPerGroup), int64((n-1)%f.inodesPerGroup)
	desc := make([]byte, f.descSize)
	if err := f.readAt(desc, f.gdtOffset+group*f.descSize); err != nil {
		return nil, fmt.Errorf("read group descriptor %d: %w", group, err)
	}
	table := uint64(le.Uint32(desc[0x8:]))
	if f.descSize >= 64 {
		table |= uint64(le.Uint32(desc[0x28:])) << 32
	}
	raw := make([]byte, 128)
	if err := f.readAt(raw, int64(table)*f.blockSize+index*f.inodeSize); err != nil {
		return nil, fmt.Errorf("read inode %d: %w", n, err)
	}
	in := &extInode{
		num:   n,
		mode:  le.Uint16(raw[0x0:]),
		size:  int64(le.Uint32(raw[0x4:])) | int64(le.Uint32(raw[0x6c:]))<<32,
		mtime: le.Uint32(raw[0x10:]),
		flags: le.Uint32(raw[0x20:]),
	}
	copy(in.block[:], raw[0x28:])
	return in, nil
}

// Inode type bits (the top four bits of i_mode).
const (
	extTypeMask = 0xf000
	extDir      = 0x4000
	extRegular  = 0x8000
	extSymlink  = 0xa000
)

func (in *extInode) isDir() bool     { return in.mode&extTypeMask == extDir }
func (in *extInode) isSymlink() bool { return in.mode&extTypeMask == extSymlink }
