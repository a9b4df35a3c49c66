// Package kernel finds the kernel and initrd inside a disk image and
// extracts them, for PXE booting a machine with that image. It reads the
// image with diskread (raw, qcow2, vhd and vmdk, without root, mount,
// loop device or nbd), its partition table with parttable and its ext2/3/4
// and FAT filesystems with extfs and fatfs.
//
// The kernel is looked for in each filesystem's /boot (a root
// filesystem) and at its top (a separate /boot); see FindIn for how the
// kernel and initrd are chosen. Images that name other files or
// protocols are refused (diskread.ErrRefused), and a kernel or initrd
// larger than MaxFileSize is an error.
package kernel

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/images/diskread"
	"github.com/tripleo/diskimage-builder/images/diskread/parttable"
	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
)

// Found says where in an image the kernel and initrd are.
type Found struct {
	Boot
	Table      string              // parttable.GPT, parttable.MBR, or "" for a bare filesystem
	Partition  parttable.Partition // the partition holding them
	Filesystem string              // diskread.Ext or diskread.VFAT
}

// Find looks for the newest kernel with an initrd in every filesystem of
// the image file and returns where it is, without extracting anything.
// When several filesystems hold one, the newest version wins, then the
// first partition. An image without any wraps ErrNoKernel and says what
// was looked at.
func Find(ctx context.Context, image string) (Found, error) {
	d, err := diskread.Open(ctx, image)
	if err != nil {
		return Found{}, err
	}
	defer d.Close()
	found, _, err := search(ctx, d)
	return found, err
}

// search finds the kernel in the disk and returns the filesystem holding
// it, open for reading. The whole search is bounded (see budget.go) and
// ends when ctx does.
func search(ctx context.Context, d *diskread.Disk) (Found, fs.FS, error) {
	return searchIn(ctx, d, d.Size(), d.Path(), d.Format())
}

// searchIn is searchWith the default budget (see budget.go).
func searchIn(ctx context.Context, r io.ReaderAt, size int64, image, format string) (Found, fs.FS, error) {
	return searchWith(newBudget(ctx), r, size, image, format)
}

// searchWith is search over the size bytes of disk r, the image file
// image in format, charging bud. A partition that overlaps one already
// searched is not searched again: a partition table lists each part of a
// disk once.
func searchWith(bud *budget, r io.ReaderAt, size int64, image, format string) (Found, fs.FS, error) {
	table, parts, err := parttable.Read(r, size)
	if err != nil {
		return Found{}, nil, fmt.Errorf("read image %s: %w", image, err)
	}
	if table == "" {
		parts = []parttable.Partition{{Size: size}}
	}
	var best Found
	var bestFS fs.FS
	var looked []string
	var searched []parttable.Partition
	noFS := 0
	for _, p := range parts {
		if slices.ContainsFunc(searched, func(q parttable.Partition) bool { return overlap(p, q) }) {
			looked = append(looked, fmt.Sprintf("%s: overlaps a partition already searched", p))
			continue
		}
		searched = append(searched, p)
		if err := bud.spend(""); err != nil {
			return Found{}, nil, fmt.Errorf("read image %s: %w", image, err)
		}
		fsys, kind, err := diskread.OpenFS(io.NewSectionReader(r, p.Start, p.Size), p.Size)
		if err != nil {
			slog.Debug("no filesystem", "image", image, "partition", p.String(), "err", err)
			looked = append(looked, fmt.Sprintf("%s: %v", p, err))
			if errors.Is(err, diskread.ErrNoFS) {
				noFS++
			}
			continue
		}
		b, err := findIn(fsys, bud)
		if stopping(err) {
			return Found{}, nil, fmt.Errorf("read image %s: %w", image, err)
		}
		if err != nil {
			slog.Debug("no kernel", "image", image, "partition", p.String(), "fs", kind, "err", err)
			looked = append(looked, fmt.Sprintf("%s (%s): %v", p, kind, strings.TrimPrefix(err.Error(), ErrNoKernel.Error()+": ")))
			continue
		}
		slog.Debug("kernel", "image", image, "partition", p.String(), "fs", kind, "kernel", b.Kernel, "initrd", b.Initrd)
		if bestFS == nil || debversion.Compare(b.Version, best.Version) > 0 {
			best, bestFS = Found{Boot: b, Table: table, Partition: p, Filesystem: kind}, fsys
		}
	}
	if bestFS != nil {
		return best, bestFS, nil
	}
	if table == "" && noFS == 1 {
		return Found{}, nil, fmt.Errorf("read image %s (%s): not a disk image: no partition table or filesystem found", image, format)
	}
	return Found{}, nil, fmt.Errorf("%w in image %s (%s, %s): %s", ErrNoKernel, image, format,
		tableName(table), strings.Join(looked, "; "))
}

// overlap reports whether two partitions share a byte.
func overlap(p, q parttable.Partition) bool {
	return p.Start < q.Start+q.Size && q.Start < p.Start+p.Size
}

func tableName(t string) string {
	if t == "" {
		return "no partition table"
	}
	return t + " partition table"
}
