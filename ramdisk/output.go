package ramdisk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

// Output extensions.
const (
	KernelExt    = ".kernel"
	InitramfsExt = ".initramfs"
)

// placer makes temporary outputs that a crash cleans up, and is told when
// they are in place (images.Work is one).
type placer interface {
	TempFile(final string) (string, error)
	Placed(tmp, final string)
}

// assembleAndWrite assembles the archive from src and writes NAME.kernel
// and NAME.initramfs under temporary names, then moves both into place.
func assembleAndWrite(ctx context.Context, s Spec, src source, set *flavours.Set, p placer) (res *Result, err error) {
	s.logf("==> ramdisk: assembling from %s (kernel %s)", src.where, src.kver)
	a, err := assemble(ctx, src, set, s.AllModules)
	if err != nil {
		return nil, err
	}
	res = &Result{Kernel: s.Name + KernelExt, Initramfs: s.Name + InitramfsExt, KernelVersion: src.kver, Entries: len(a.Paths())}
	var tmps []string
	defer func() {
		if err != nil {
			for _, t := range tmps {
				os.Remove(t)
			}
		}
	}()
	tmpInitrd, err := p.TempFile(res.Initramfs)
	if err != nil {
		return nil, err
	}
	tmps = append(tmps, tmpInitrd)
	if err := writeArchive(a, tmpInitrd, s.Compression); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Initramfs, err)
	}
	tmpKernel, err := p.TempFile(res.Kernel)
	if err != nil {
		return nil, err
	}
	tmps = append(tmps, tmpKernel)
	kernel := filepath.Join(src.modRoot, kernelPath(src.kver))
	if err := copyFile(kernel, tmpKernel); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Kernel, err)
	}
	if fi, err := os.Stat(tmpInitrd); err == nil {
		res.Size = fi.Size()
	}
	stamp := time.Now().Format("20060102T150405")
	for _, o := range []struct{ tmp, final string }{{tmpKernel, res.Kernel}, {tmpInitrd, res.Initramfs}} {
		if err := place(o.tmp, o.final, stamp, s.Overwrite); err != nil {
			return nil, err
		}
		p.Placed(o.tmp, o.final)
	}
	s.logf("ramdisk: %s (%d entries, %d bytes, %s) and %s", res.Initramfs, res.Entries, res.Size, s.Compression, res.Kernel)
	return res, nil
}

// writeArchive writes a compressed into the existing file p.
func writeArchive(a *initramfs.Archive, p string, c initramfs.Compression) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := a.Write(f, initramfs.Options{Compression: c}); err != nil {
		f.Close()
		return err
	}
	return errors.Join(f.Chmod(0o644), f.Close())
}

// copyFile copies src into the existing file dst, world-readable.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy kernel: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("copy kernel: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy kernel %s to %s: %w", src, dst, err)
	}
	return errors.Join(out.Chmod(0o644), out.Close())
}

// place renames tmp to final; an existing final is moved aside with a
// timestamp unless overwrite.
func place(tmp, final, stamp string, overwrite bool) error {
	if _, err := os.Lstat(final); err == nil && !overwrite {
		if err := os.Rename(final, images.AsideName(final, stamp)); err != nil {
			return fmt.Errorf("move old output %s aside: %w", final, err)
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("put output %s in place: %w", final, err)
	}
	return nil
}
