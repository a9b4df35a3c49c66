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
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/sbom"
)

// Output extensions.
const (
	KernelExt    = ".kernel"
	InitramfsExt = ".initramfs"
)

// write assembles the archive from src and writes NAME.kernel,
// NAME.initramfs and their bill of materials NAME.cdx.json under temporary
// names known to reg, then places them.
func write(ctx context.Context, s Spec, src source, set *flavours.Set, reg outputs.Registry) (res *Result, err error) {
	s.logf("==> ramdisk: assembling from %s (kernel %s)", src.where, src.kver)
	var readAs flavours.ReadAs
	if s.Owner != nil {
		readAs = s.Owner.Do
	}
	a, err := assemble(ctx, src, set, s.AllModules, readAs)
	if err != nil {
		return nil, err
	}
	res = &Result{Kernel: s.Name + KernelExt, Initramfs: s.Name + InitramfsExt, KernelVersion: src.kver, Entries: len(a.Paths())}
	outs := outputs.NewSet(reg, s.Owner)
	defer func() { err = errors.Join(err, outs.Discard()) }()
	kernel := filepath.Join(src.modRoot, kernelPath(src.kver))
	at, err := ramdiskEpoch(s, src, a, kernel)
	if err != nil {
		return nil, err
	}
	res.Epoch = at
	tmpInitrd, err := outs.Temp(res.Initramfs)
	if err != nil {
		return nil, err
	}
	if err := writeArchive(a, tmpInitrd, s.Compression, at); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Initramfs, err)
	}
	tmpKernel, err := outs.Temp(res.Kernel)
	if err != nil {
		return nil, err
	}
	if err := copyFile(kernel, tmpKernel); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.Kernel, err)
	}
	b, err := ramdiskBOM(s, src, set, a, at, kernel, map[string]string{
		filepath.Base(res.Kernel): tmpKernel, filepath.Base(res.Initramfs): tmpInitrd})
	if err != nil {
		return nil, err
	}
	res.SBOM = s.Name + sbom.Ext
	tmpBOM, err := outs.Temp(res.SBOM)
	if err != nil {
		return nil, err
	}
	if err := writeBOM(b, tmpBOM); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.SBOM, err)
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

// ramdiskEpoch is the time of the archive's entries: the one asked for,
// else the target root's, else (host mode) the newest modification time
// of the kernel and the files the archive copies, so that the same host
// files give the same archive.
func ramdiskEpoch(s Spec, src source, a *initramfs.Archive, kernel string) (time.Time, error) {
	if !s.SourceDateEpoch.IsZero() {
		return s.SourceDateEpoch, nil
	}
	if !src.epoch.IsZero() {
		return src.epoch, nil
	}
	var newest time.Time
	srcs := []string{kernel}
	for _, f := range a.Files() {
		srcs = append(srcs, f.Source)
	}
	for _, p := range srcs {
		fi, err := os.Stat(p)
		if err != nil {
			return time.Time{}, fmt.Errorf("time of the ramdisk: %w", err)
		}
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
	}
	return newest.Truncate(time.Second).UTC(), nil
}

// writeArchive writes a compressed, every entry dated at, into the
// existing file p.
func writeArchive(a *initramfs.Archive, p string, c initramfs.Compression, at time.Time) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if err := a.Write(f, initramfs.Options{Compression: c, ModTime: at.Unix()}); err != nil {
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
