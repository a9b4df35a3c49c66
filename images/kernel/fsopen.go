package kernel

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"

	"github.com/diskfs/go-diskfs/backend"
	"github.com/diskfs/go-diskfs/filesystem/fat12"
	"github.com/diskfs/go-diskfs/filesystem/fat16"
	"github.com/diskfs/go-diskfs/filesystem/fat32"
)

// errNoFS says a partition holds no filesystem this package reads.
var errNoFS = errors.New("no ext2/3/4 or FAT filesystem")

// openFS opens the ext2/3/4 or FAT filesystem in r and names its type.
func openFS(r *io.SectionReader) (fs.FS, string, error) {
	ext, err := openExt(r)
	if err == nil {
		return ext, "ext", nil
	}
	if !errors.Is(err, errNotExt) {
		return nil, "", err
	}
	if !isFAT(r) {
		return nil, "", errNoFS
	}
	b := &readOnly{r: r}
	if f, err := fat32.Read(b, r.Size(), 0, 0); err == nil {
		return f, "vfat", nil
	}
	if f, err := fat16.Read(b, r.Size(), 0, 0); err == nil {
		return f, "vfat", nil
	}
	f, err := fat12.Read(b, r.Size(), 0, 0)
	if err != nil {
		return nil, "", fmt.Errorf("read fat filesystem: %w", err)
	}
	return f, "vfat", nil
}

// isFAT checks a boot sector for a FAT BIOS parameter block.
func isFAT(r io.ReaderAt) bool {
	b := make([]byte, sector)
	if _, err := r.ReadAt(b, 0); err != nil {
		return false
	}
	bps, spc := le.Uint16(b[0xb:]), b[0xd]
	return (b[0] == 0xeb || b[0] == 0xe9) && b[510] == 0x55 && b[511] == 0xaa &&
		bps >= 512 && bps <= 4096 && bps&(bps-1) == 0 && spc != 0 && spc&(spc-1) == 0 &&
		le.Uint16(b[0xe:]) != 0 && (b[0x10] == 1 || b[0x10] == 2)
}

// readOnly lets go-diskfs's FAT readers read from an io.SectionReader.
type readOnly struct {
	r   *io.SectionReader
	pos int64
}

var _ backend.Storage = (*readOnly)(nil)

func (b *readOnly) ReadAt(p []byte, off int64) (int, error) { return b.r.ReadAt(p, off) }
func (b *readOnly) Close() error                            { return nil }
func (b *readOnly) Sys() (*os.File, error)                  { return nil, backend.ErrNotSuitable }
func (b *readOnly) Path() string                            { return "" }
func (b *readOnly) Stat() (fs.FileInfo, error)              { return sizeInfo(b.r.Size()), nil }

func (b *readOnly) Writable() (backend.WritableFile, error) {
	return nil, backend.ErrIncorrectOpenMode
}

func (b *readOnly) Read(p []byte) (int, error) {
	n, err := b.r.ReadAt(p, b.pos)
	b.pos += int64(n)
	return n, err
}

func (b *readOnly) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += b.pos
	case io.SeekEnd:
		off += b.r.Size()
	}
	if off < 0 {
		return b.pos, errors.New("seek before start")
	}
	b.pos = off
	return off, nil
}

// sizeInfo is the fs.FileInfo of the backend: only its size matters.
type sizeInfo int64

func (s sizeInfo) Name() string       { return "image" }
func (s sizeInfo) Size() int64        { return int64(s) }
func (s sizeInfo) Mode() fs.FileMode  { return 0o444 }
func (s sizeInfo) ModTime() time.Time { return time.Time{} }
func (s sizeInfo) IsDir() bool        { return false }
func (s sizeInfo) Sys() any           { return nil }
