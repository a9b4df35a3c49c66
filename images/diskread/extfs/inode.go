package extfs

import (
	"fmt"
	"math"
)

// Inode layout.
const (
	inodeExtentsFlag = 0x80000
	inodeInlineFlag  = 0x10000000
	inodeEncryptFlag = 0x800
	inodeBlockSize   = 60 // i_block: block map, extent tree root or fast symlink
)

// Inode type bits (the top four bits of i_mode).
const (
	typeMask = 0xf000
	typeDir  = 0x4000
	typeFile = 0x8000
	typeLink = 0xa000
)

// inode is the part of an inode that reading needs.
type inode struct {
	num   uint32
	mode  uint16
	size  int64 // checked: 0 <= size <= math.MaxInt64
	mtime uint32
	flags uint32
	block [inodeBlockSize]byte
}

func (in *inode) isDir() bool  { return in.mode&typeMask == typeDir }
func (in *inode) isLink() bool { return in.mode&typeMask == typeLink }

// inode reads inode number n.
func (f *FS) inode(n uint32) (*inode, error) {
	if n == 0 || n > f.inodesCount {
		return nil, fmt.Errorf("read inode %d: out of range 1 to %d", n, f.inodesCount)
	}
	group, index := uint64((n-1)/f.inodesPerGroup), int64((n-1)%f.inodesPerGroup)
	if group >= f.groups {
		return nil, fmt.Errorf("read inode %d: group %d is past the filesystem's %d groups", n, group, f.groups)
	}
	desc := make([]byte, f.descSize)
	if err := f.readAt(desc, f.gdtOffset+int64(group)*f.descSize); err != nil {
		return nil, fmt.Errorf("read group descriptor %d: %w", group, err)
	}
	table := uint64(le.Uint32(desc[0x8:]))
	if f.descSize >= 64 {
		table |= uint64(le.Uint32(desc[0x28:])) << 32
	}
	tableBytes := uint64(f.inodesPerGroup) * uint64(f.inodeSize)
	if table >= f.blocks || tableBytes > (f.blocks-table)*uint64(f.blockSize) {
		return nil, fmt.Errorf("read inode %d: inode table of group %d at block %d does not fit the filesystem", n, group, table)
	}
	raw := make([]byte, 128)
	if err := f.readAt(raw, int64(table)*f.blockSize+index*f.inodeSize); err != nil {
		return nil, fmt.Errorf("read inode %d: %w", n, err)
	}
	size := uint64(le.Uint32(raw[0x4:])) | uint64(le.Uint32(raw[0x6c:]))<<32
	if size > math.MaxInt64 {
		return nil, fmt.Errorf("read inode %d: size %d is out of range", n, size)
	}
	in := &inode{
		num:   n,
		mode:  le.Uint16(raw[0x0:]),
		size:  int64(size),
		mtime: le.Uint32(raw[0x10:]),
		flags: le.Uint32(raw[0x20:]),
	}
	copy(in.block[:], raw[0x28:])
	return in, nil
}
