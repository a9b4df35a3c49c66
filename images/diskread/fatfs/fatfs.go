// Package fatfs reads FAT12, FAT16 and FAT32 filesystems inside a disk
// image, without mounting them, as an fs.FS.
//
// The filesystem is someone else's input, so nothing is taken on trust:
// the boot sector's geometry must fit the partition before anything else
// is read, the FAT itself is never loaded (entries are read as chains are
// followed), a cluster chain that comes back to a cluster it passed is an
// error, and directories are read only up to MaxDirSize. Reading a file
// costs time in proportion to its size, which FAT bounds at 4 GiB; a
// caller that did not make the filesystem checks Size before reading.
//
// Names are matched as FAT does, without regard to case; long (VFAT)
// names are read, and short names in the case Windows and mtools record.
package fatfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNotFAT says a partition holds no FAT boot sector.
var ErrNotFAT = errors.New("no FAT boot sector")

var le = binary.LittleEndian

// FS is a FAT filesystem read from an io.ReaderAt. It is not safe for
// concurrent use.
type FS struct {
	r           io.ReaderAt
	bits        int   // 12, 16 or 32
	clusterSize int64 // bytes
	fatStart    int64 // offset of the first FAT
	fatBytes    int64 // size of one FAT
	rootStart   int64 // FAT12/16: offset of the fixed root directory
	rootSize    int64 // FAT12/16: its size
	rootCluster uint32
	dataStart   int64  // offset of cluster 2
	clusters    uint32 // data clusters: valid numbers are 2 to clusters+1
	fatCache    fatCache
	dirs        dirCache
}

// Open reads the boot sector of the FAT filesystem in the first size
// bytes of r and checks that its geometry fits them. A partition without
// a FAT boot sector gives ErrNotFAT.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	b := make([]byte, 512)
	if size < 512*4 {
		return nil, ErrNotFAT
	}
	if n, err := r.ReadAt(b, 0); n != len(b) {
		return nil, fmt.Errorf("read fat boot sector: %w", err)
	}
	bps, spc := int64(le.Uint16(b[0xb:])), int64(b[0xd])
	reserved, nfats, rootEntries := int64(le.Uint16(b[0xe:])), int64(b[0x10]), int64(le.Uint16(b[0x11:]))
	total, fatSectors := int64(le.Uint16(b[0x13:])), int64(le.Uint16(b[0x16:]))
	if (b[0] != 0xeb && b[0] != 0xe9) || b[510] != 0x55 || b[511] != 0xaa ||
		bps < 512 || bps > 4096 || bps&(bps-1) != 0 || spc == 0 || spc&(spc-1) != 0 ||
		reserved == 0 || nfats < 1 || nfats > 2 {
		return nil, ErrNotFAT
	}
	if total == 0 {
		total = int64(le.Uint32(b[0x20:]))
	}
	fat32 := fatSectors == 0
	if fat32 {
		fatSectors = int64(le.Uint32(b[0x24:]))
	}
	bad := func(format string, a ...any) (*FS, error) {
		return nil, fmt.Errorf("fat boot sector: "+format, a...)
	}
	if total > size/bps {
		return bad("%d sectors of %d bytes do not fit the %d-byte partition", total, bps, size)
	}
	rootSectors := (rootEntries*32 + bps - 1) / bps
	meta := reserved + nfats*fatSectors + rootSectors // no overflow: each term is below 2^33
	if fatSectors == 0 || meta >= total {
		return bad("%d reserved, %d FAT and %d root directory sectors do not fit %d sectors", reserved, nfats*fatSectors, rootSectors, total)
	}
	f := &FS{
		r: r, clusterSize: bps * spc, fatStart: reserved * bps, fatBytes: fatSectors * bps,
		rootStart: (reserved + nfats*fatSectors) * bps, rootSize: rootSectors * bps,
		dataStart: meta * bps, clusters: uint32(min((total-meta)/spc, 0x0ffffff5)),
	}
	// The FAT type follows from the number of clusters alone.
	switch {
	case f.clusters < 4085:
		f.bits = 12
	case f.clusters < 65525:
		f.bits = 16
	default:
		f.bits = 32
	}
	if fat32 != (f.bits == 32) || fat32 != (rootEntries == 0) {
		return bad("%d clusters, %d root entries and %d-sector FAT16 FAT disagree on the FAT type", f.clusters, rootEntries, le.Uint16(b[0x16:]))
	}
	if need := (int64(f.clusters) + 2) * int64(f.bits) / 8; f.fatBytes < need {
		return bad("a FAT of %d bytes cannot map %d clusters", f.fatBytes, f.clusters)
	}
	if fat32 {
		f.rootCluster = le.Uint32(b[0x2c:])
		if !f.valid(f.rootCluster) {
			return bad("root directory cluster %d is not one of the %d clusters", f.rootCluster, f.clusters)
		}
	}
	return f, nil
}

// valid says whether c is a data cluster of the filesystem.
func (f *FS) valid(c uint32) bool { return c >= 2 && c-2 < f.clusters }

// clusterOffset returns the byte offset of data cluster c.
func (f *FS) clusterOffset(c uint32) int64 { return f.dataStart + int64(c-2)*f.clusterSize }

// readFull reads exactly len(p) bytes at off.
func (f *FS) readFull(p []byte, off int64) error {
	n, err := f.r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %d bytes at %d: %w", len(p), off, err)
}
