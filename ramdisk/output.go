package ramdisk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

// Output extensions.
const (
	KernelExt    = ".kernel"
	InitramfsExt = ".initramfs"
)

// write assembles the archive from src and writes NAME.kernel and
// NAME.initramfs under temporary names known to reg, then places both.
func write(ctx context.Context, s Spec, src source, set *flavours.Set, reg outputs.Registry) (res *Result, err error) {
	s.logf("==> ramdisk: assembling from %s (kernel %s)", src.where, src.kver)
	a, err := assemble(ctx, src, set, s.AllModules)
	if err != nil {
		return nil, err
	}
	res = &Result{Kernel: s.Name + KernelExt, Initramfs: s.Name + InitramfsExt, KernelVersion: src.kver, Entries: len(a.Paths())}
	outs := outputs.NewSet(reg, s.Owner)
	defer func() { err = errors.Join(err, outs.Discard()) }()
	tmpInitrd, err := outs.Temp(res.Initramfs)
	if err != nil {
		return nil, err
	}
	if err := writeArchive(a, tmpInitrd, s.Compression); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Initramfs, err)
	}
	tmpKernel, err := outs.Temp(res.Kernel)
	if err != nil {
		return nil, err
	}
	kernel := filepath.Join(src.modRoot, kernelPath(src.kver))
	if err := copyFile(kernel, tmpKernel); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Kernel, err)
	}
	fi, err := os.Stat(tmpInitrd)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Initramfs, err)
	}
	res.Size = fi.Size()
	if err := outs.Place(s.Overwrite); err != nil {
		return nil, err
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
