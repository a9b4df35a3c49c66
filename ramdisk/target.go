package ramdisk

import (
	"github.com/tripleo/diskimage-builder/sbom"

	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// Write is the ramdisk stage: it assembles the ramdisk from the built
// target root (its programs, kernel and modules) and writes NAME.kernel and
// NAME.initramfs, placed together (see outputs.Set).
func Write(ctx context.Context, root *rootfs.Root, p *Plan) (*Result, error) {
	start := time.Now()
	ctx = root.Plan.Traced(ctx)
	kver, err := KernelVersion(root.Tree)
	if err == nil {
		src := source{
			root:    root.Tree,
			lookup:  func(name string) (string, error) { return elfdeps.Lookup(root.Tree, name) },
			where:   "the target root",
			modRoot: root.Tree,
			kver:    kver,
			epoch:   root.Epoch,
			release: root.Plan.Spec.Release, archive: sbom.ArchiveOf(root.Archive), inputs: root.Fingerprint,
		}
		var res *Result
		if res, err = write(ctx, p.Spec, src, p.Flavours, root.Janitor); err == nil {
			res.Phases = append(append([]rootfs.Timing(nil), root.Phases...), rootfs.Timing{Name: "assemble", Duration: time.Since(start)})
			rootfs.Summary(p.Spec.Log, res.Phases, root.Hooks)
			return res, nil
		}
	}
	return nil, rootfs.Interrupted(ctx.Err(), "assemble", fmt.Errorf("phase assemble: %w", err))
}

// KernelVersion returns the version of the kernel in root: the newest
// directory of /lib/modules that has a matching /boot/vmlinuz-VERSION.
func KernelVersion(root string) (string, error) {
	dir, _, err := inroot.Resolve(root, "/lib/modules")
	if err != nil {
		return "", fmt.Errorf("find the kernel in %s: %w", root, err)
	}
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		return "", fmt.Errorf("find the kernel in %s: %w", root, err)
	}
	var found []string
	for _, e := range entries {
		ok, err := inroot.Exists(root, kernelPath(e.Name()))
		if err != nil {
			return "", fmt.Errorf("find the kernel in %s: %w", root, err)
		}
		if ok {
			found = append(found, e.Name())
		}
	}
	if len(found) == 0 {
		return "", fmt.Errorf("find the kernel in %s: no /boot/vmlinuz-VERSION matches a directory of /lib/modules", root)
	}
	return slices.MaxFunc(found, debversion.Compare), nil
}

// kernelPath is where the kernel of version kver lies inside a root.
func kernelPath(kver string) string { return path.Join("/boot", "vmlinuz-"+kver) }
