// Package kernel finds the kernel and initrd inside a disk image and
// extracts them, for PXE booting a machine with that image. It reads the
// image file directly: raw images as they are, qcow2, vhd, vmdk and the
// other formats qemu-img knows through qemu-img, a range at a time. It
// needs no root, no mount, no loop device and no nbd.
//
// An image may have a GPT or MBR partition table or be a bare filesystem;
// ext2, ext3, ext4 and FAT filesystems are read. The kernel is looked for
// in each filesystem's /boot (a root filesystem) and at its top (a
// separate /boot); see FindIn for how the kernel and initrd are chosen.
package kernel

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"strings"
)

// Found says where in an image the kernel and initrd are.
type Found struct {
	Boot
	Table      string    // "gpt", "mbr", or "" for a bare filesystem
	Partition  Partition // the partition holding them
	Filesystem string    // "ext" or "vfat"
}

// Find looks for the newest kernel with an initrd in every filesystem of
// the image file and returns where it is, without extracting anything.
// When several filesystems hold one, the newest version wins, then the
// first partition. An image without any wraps ErrNoKernel and says what
// was looked at.
func Find(ctx context.Context, image string) (Found, error) {
	d, err := openDisk(ctx, image)
	if err != nil {
		return Found{}, err
	}
	defer d.Close()
	found, _, err := search(d)
	return found, err
}

// search finds the kernel in the disk and returns the filesystem holding
// it, open for reading.
func search(d *disk) (Found, fs.FS, error) {
	table, parts, ok, err := readTable(d, d.size)
	if err != nil {
		return Found{}, nil, fmt.Errorf("read image %s: %w", d.path, err)
	}
	if !ok {
		parts = []Partition{{Start: 0, Size: d.size}}
	}
	var best Found
	var bestFS fs.FS
	var looked []string
	for _, p := range parts {
		fsys, kind, err := openFS(io.NewSectionReader(d, p.Start, p.Size))
		if err != nil {
			slog.Debug("no filesystem", "image", d.path, "partition", p.String(), "err", err)
			looked = append(looked, fmt.Sprintf("%s: %v", p, err))
			continue
		}
		b, err := FindIn(fsys)
		if err != nil {
			slog.Debug("no kernel", "image", d.path, "partition", p.String(), "fs", kind, "err", err)
			looked = append(looked, fmt.Sprintf("%s (%s): %v", p, kind, strings.TrimPrefix(err.Error(), ErrNoKernel.Error()+": ")))
			continue
		}
		slog.Debug("kernel", "image", d.path, "partition", p.String(), "fs", kind, "kernel", b.Kernel, "initrd", b.Initrd)
		if bestFS == nil || CompareVersions(b.Version, best.Version) > 0 {
			best, bestFS = Found{Boot: b, Table: table, Partition: p, Filesystem: kind}, fsys
		}
	}
	if bestFS == nil {
		if !ok && len(looked) == 1 && strings.Contains(looked[0], errNoFS.Error()) {
			return Found{}, nil, fmt.Errorf("read image %s (%s): not a disk image: no partition table or filesystem found", d.path, d.format)
		}
		return Found{}, nil, fmt.Errorf("%w in image %s (%s, %s): %s", ErrNoKernel, d.path, d.format,
			tableName(table), strings.Join(looked, "; "))
	}
	return best, bestFS, nil
}

func tableName(t string) string {
	if t == "" {
		return "no partition table"
	}
	return t + " partition table"
}
