package disk

import (
	"errors"
	"fmt"
)

// ErrTooSmall is wrapped by the error Plan returns when Spec.Size cannot
// hold the tree.
var ErrTooSmall = errors.New("image size too small for the content")

// Sizing of the ext4 root filesystem. The estimate is deliberately
// generous: running out of space in mkfs.ext4 -d happens after the heavy
// work and says little about why.
const (
	blockSize   = 4096
	inodeSize   = 256
	inodeRatio  = 16384    // bytes per inode, mkfs.ext4 -i
	fsSlack     = 16 * MiB // fixed metadata and room for the first boot
	autoSlack   = 128 * MiB
	autoPercent = 30 // headroom of an automatic size, over the content
)

// inodesFor is how many inodes the root filesystem needs for content u:
// the files there are plus room for a tenth more and the first boot.
func inodesFor(u Usage) int64 { return u.Inodes + u.Inodes/10 + 4096 }

// inodesIn is how many inodes mkfs.ext4 makes in size bytes without -N.
func inodesIn(size int64) int64 { return size / inodeRatio }

// journalSize follows e2fsprogs' default journal size for a filesystem of
// size bytes in 4 KiB blocks.
func journalSize(size int64) int64 {
	blocks := size / blockSize
	var j int64
	switch {
	case blocks < 32768:
		j = 1024
	case blocks < 256*1024:
		j = 4096
	case blocks < 512*1024:
		j = 8192
	case blocks < 4096*1024:
		j = 16384
	case blocks < 8192*1024:
		j = 32768
	case blocks < 16384*1024:
		j = 65536
	case blocks < 32768*1024:
		j = 131072
	default:
		j = 262144
	}
	return j * blockSize
}

// rootNeed is the space a root filesystem of size bytes needs for content
// u: the data with 5% for directories and extent blocks, the inode tables,
// the journal, bitmaps and group descriptors (under 1%) and a fixed slack.
func rootNeed(u Usage, size int64) int64 {
	inodes := max(inodesIn(size), inodesFor(u))
	return u.Bytes + u.Bytes/20 + inodes*inodeSize + journalSize(size) + size/100 + fsSlack
}

// rootMin is the smallest MiB-aligned root filesystem that holds u.
func rootMin(u Usage) int64 {
	s := roundUp(u.Bytes+fsSlack, MiB)
	for range 64 {
		need := roundUp(rootNeed(u, s), MiB)
		if s >= need {
			break
		}
		s = need
	}
	return s
}

// rootAuto is the root filesystem size chosen when Spec.Size is 0.
func rootAuto(u Usage) int64 {
	return max(rootMin(u), roundUp(u.Bytes+u.Bytes*autoPercent/100+autoSlack, MiB))
}

// sizeFor returns the image size for content u and spec, or an error
// wrapping ErrTooSmall.
func sizeFor(u Usage, spec Spec) (int64, error) {
	esp := int64(spec.espSizeMiB()) * MiB
	if spec.Size == 0 {
		return fixedSize(esp) + rootAuto(u), nil
	}
	total := roundUp(spec.Size, MiB)
	if min := fixedSize(esp) + rootMin(u); total < min {
		return 0, fmt.Errorf("plan disk: size %d bytes (%d MiB) is below the %d MiB the tree needs (%d MiB of files, %d inodes): %w",
			spec.Size, spec.Size/MiB, min/MiB, u.Bytes/MiB, u.Inodes, ErrTooSmall)
	}
	return total, nil
}
