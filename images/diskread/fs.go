package diskread

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/tripleo/diskimage-builder/images/diskread/extfs"
	"github.com/tripleo/diskimage-builder/images/diskread/fatfs"
)

// ErrNoFS says a partition holds no filesystem OpenFS reads.
var ErrNoFS = errors.New("no ext2/3/4 or FAT filesystem")

// Filesystem types OpenFS names.
const (
	Ext  = "ext"
	VFAT = "vfat"
)

// OpenFS opens the ext2/3/4 or FAT filesystem in the first size bytes of
// r and names its type (Ext or VFAT). A partition with neither wraps
// ErrNoFS. Files of the filesystem are read in time proportional to
// their size: check their size before reading them.
func OpenFS(r io.ReaderAt, size int64) (fs.FS, string, error) {
	ext, err := extfs.Open(r, size)
	if err == nil {
		return ext, Ext, nil
	}
	if !errors.Is(err, extfs.ErrNotExt) {
		return nil, "", err
	}
	fat, err := fatfs.Open(r, size)
	if err == nil {
		return fat, VFAT, nil
	}
	if !errors.Is(err, fatfs.ErrNotFAT) {
		return nil, "", fmt.Errorf("read fat filesystem: %w", err)
	}
	return nil, "", ErrNoFS
}
