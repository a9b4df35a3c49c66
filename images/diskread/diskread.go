// Package diskread reads disk image files without mounting them: raw
// images as they are, and qcow2, vhd and vmdk images through qemu-img, a
// range at a time, so only the parts a reader asks for are decoded. It
// needs no root, no loop device and no nbd. Its subpackages read what is
// inside: parttable the partition table, extfs and fatfs the filesystems.
//
// An image file is someone else's input. Its format is found from its
// own header, never by letting qemu-img probe, and is named on every
// qemu-img command line; the file is handed to qemu-img as an open file
// descriptor (so the file read is the file checked) under the "file"
// protocol driver (so its name is never read as a protocol, a json:
// pseudo-filename or an option). An image whose metadata names another
// file or a protocol (a qcow2 backing file or external data file, a vmdk
// descriptor or parent, a differencing vhd) is refused with ErrRefused
// before qemu-img reads it, and qemu-img's own account of the image is
// checked again.
package diskread

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
)

// ErrRefused is wrapped by the error for an image that Open will not
// read: one whose metadata names another file or a protocol, or whose
// format it does not read. The message says why, for example
// "image names a backing file (/etc/shadow): refused".
var ErrRefused = errors.New("refused")

// Formats, as qemu-img names them.
const (
	Raw   = "raw"
	Qcow2 = "qcow2"
	VHD   = "vpc"
	VMDK  = "vmdk"
)

// Disk is an image's virtual disk: its bytes as a guest would see them.
// It is not safe for concurrent use.
type Disk struct {
	r      io.ReaderAt
	path   string
	format string
	size   int64
	close  func() error
}

// Path returns the image file's name, as given to Open.
func (d *Disk) Path() string { return d.path }

// Format returns the image format, as qemu-img names it (Raw, Qcow2, VHD
// or VMDK).
func (d *Disk) Format() string { return d.format }

// Size returns the size of the virtual disk in bytes.
func (d *Disk) Size() int64 { return d.size }

// ReadAt reads len(p) bytes of the virtual disk at off.
func (d *Disk) ReadAt(p []byte, off int64) (int, error) { return d.r.ReadAt(p, off) }

// Close releases the image file.
func (d *Disk) Close() error { return d.close() }

// Open opens an image file: raw, qcow2, vhd or vmdk (a single-file
// sparse or stream-optimized vmdk). Images that name other files or
// protocols, and other formats qemu-img knows, wrap ErrRefused.
func Open(ctx context.Context, path string) (*Disk, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open image: %w", err)
	}
	d, err := open(ctx, f, path)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("read image %s: %w", path, err), f.Close())
	}
	return d, nil
}

func open(ctx context.Context, f *os.File, path string) (*Disk, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("not a regular file")
	}
	format, err := detect(f, st.Size())
	if err != nil {
		return nil, err
	}
	slog.Debug("image", "path", path, "format", format)
	if format == Raw {
		return &Disk{r: f, path: path, format: Raw, size: st.Size(), close: f.Close}, nil
	}
	size, err := info(ctx, f, format)
	if err != nil {
		return nil, err
	}
	q, err := newQemuReader(ctx, f, format, size)
	if err != nil {
		return nil, err
	}
	return &Disk{r: q, path: path, format: format, size: size, close: func() error { return errors.Join(q.close(), f.Close()) }}, nil
}

// refused returns an error wrapping ErrRefused: "WHY: refused".
func refused(format string, a ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), ErrRefused)
}
