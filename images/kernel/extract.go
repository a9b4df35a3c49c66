package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/images/diskread"
)

// MaxFileSize bounds the kernel and the initrd: a file larger than this
// in an image is an error, not gigabytes written.
const MaxFileSize = 512 << 20

// Options says which image to read and where to write its kernel.
type Options struct {
	Image  string // the image file: raw, qcow2, vhd, vmdk, ...
	Dir    string // output directory; empty means the image's directory
	Prefix string // output name prefix; empty means the image's name without its extension
}

// Result names the files Extract wrote and what they came from.
type Result struct {
	Kernel  string // DIR/PREFIX-vmlinuz
	Initrd  string // DIR/PREFIX-initrd
	Version string // the kernel's version, "" if only a link named it
	Found   Found  // where in the image they were
}

// Outputs returns the paths Extract writes for opts, defaults applied.
func Outputs(opts Options) (kernel, initrd string) {
	opts = opts.withDefaults()
	base := filepath.Join(opts.Dir, opts.Prefix)
	return base + "-vmlinuz", base + "-initrd"
}

func (o Options) withDefaults() Options {
	if o.Dir == "" {
		o.Dir = filepath.Dir(o.Image)
	}
	if o.Prefix == "" {
		base := filepath.Base(o.Image)
		o.Prefix = strings.TrimSuffix(base, filepath.Ext(base))
	}
	return o
}

// Extract finds the newest kernel and its initrd in opts.Image (see Find)
// and writes them as PREFIX-vmlinuz and PREFIX-initrd in DIR, mode 0644.
// Each is written into an unnamed file in DIR (see temp), which gets
// its name only once it is whole, replacing an older file of that name;
// on error, and when the process is killed, nothing is left behind. An image refused by diskread.Open wraps
// diskread.ErrRefused, and is refused before anything is written.
func Extract(ctx context.Context, opts Options) (res Result, err error) {
	if opts.Image == "" {
		return Result{}, errors.New("extract kernel: no image given")
	}
	opts = opts.withDefaults()
	res.Kernel, res.Initrd = Outputs(opts)
	if st, err := os.Stat(opts.Dir); err != nil {
		return Result{}, fmt.Errorf("extract kernel: output directory: %w", err)
	} else if !st.IsDir() {
		return Result{}, fmt.Errorf("extract kernel: output directory %s: not a directory", opts.Dir)
	}
	d, err := diskread.Open(ctx, opts.Image)
	if err != nil {
		return Result{}, err
	}
	defer d.Close()
	// The temporary files are made next: an unwritable directory fails
	// before the image's filesystems are read.
	kt, err := newTemp(res.Kernel)
	if err != nil {
		return Result{}, err
	}
	defer kt.cleanup()
	it, err := newTemp(res.Initrd)
	if err != nil {
		return Result{}, err
	}
	defer it.cleanup()
	found, fsys, err := search(ctx, d)
	if err != nil {
		return Result{}, err
	}
	res.Version, res.Found = found.Version, found
	fsys = cancellable(ctx, fsys)
	if err := kt.fill(fsys, found.Kernel, "kernel"); err != nil {
		return Result{}, err
	}
	if err := it.fill(fsys, found.Initrd, "initrd"); err != nil {
		return Result{}, err
	}
	if err := kt.commit(); err != nil {
		return Result{}, err
	}
	if err := it.commit(); err != nil {
		return Result{}, errors.Join(err, os.Remove(res.Kernel))
	}
	slog.Debug("extracted", "kernel", res.Kernel, "initrd", res.Initrd, "version", res.Version)
	return res, nil
}

// copyOut copies name (the kernel or the initrd, as what says) from fsys
// to w, if it is no larger than limit.
func copyOut(w io.Writer, fsys fs.FS, name, what string, limit int64) error {
	src, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("read %s from image: %w", name, err)
	}
	defer src.Close()
	info, err := src.Stat()
	if err != nil {
		return fmt.Errorf("read %s from image: %w", name, err)
	}
	if info.Size() > limit {
		return fmt.Errorf("read %s from image: the %s is %d bytes, more than the %d MiB limit", name, what, info.Size(), limit>>20)
	}
	if _, err := io.Copy(&bounded{w: w, left: info.Size()}, src); err != nil {
		return fmt.Errorf("copy %s from image: %w", name, err)
	}
	return nil
}

// bounded passes at most left bytes to w: a reader that wrote more than
// the size it gave would be a bug, not a reason to fill the disk.
type bounded struct {
	w    io.Writer
	left int64
}

func (b *bounded) Write(p []byte) (int, error) {
	if int64(len(p)) > b.left {
		return 0, errors.New("file is longer than its size")
	}
	b.left -= int64(len(p))
	return b.w.Write(p)
}
