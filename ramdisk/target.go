package ramdisk

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/debversion"
	"github.com/tripleo/diskimage-builder/internal/inroot"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
)

// buildTarget builds the target root with images.BuildRoot and assembles
// the ramdisk from it.
func buildTarget(ctx context.Context, s Spec) (*Result, error) {
	var res *Result
	rootRes, err := images.BuildRoot(ctx, s.imageSpec(), func(ctx context.Context, w *images.Work) error {
		kver, err := KernelVersion(w.Root)
		if err != nil {
			return err
		}
		src := source{
			root:    w.Root,
			lookup:  func(name string) (string, error) { return elfdeps.Lookup(w.Root, name) },
			where:   "the target root",
			modRoot: w.Root,
			kver:    kver,
		}
		res, err = assembleAndWrite(ctx, s, src, w.Flavours, w)
		return err
	})
	if res == nil {
		res = &Result{}
	}
	res.Root = rootRes
	return res, err
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
