package ramdisk

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/images"
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
		if ok, _ := inroot.Exists(root, kernelPath(e.Name())); ok {
			found = append(found, e.Name())
		}
	}
	if len(found) == 0 {
		return "", fmt.Errorf("find the kernel in %s: no /boot/vmlinuz-VERSION matches a directory of /lib/modules", root)
	}
	sort.Slice(found, func(i, j int) bool { return versionLess(found[i], found[j]) })
	return found[len(found)-1], nil
}

// kernelPath is where the kernel of version kver lies inside a root.
func kernelPath(kver string) string { return path.Join("/boot", "vmlinuz-"+kver) }

// versionLess compares kernel versions by their numeric parts, then as text.
func versionLess(a, b string) bool {
	na, nb := numbers(a), numbers(b)
	for i := 0; i < len(na) && i < len(nb); i++ {
		if na[i] != nb[i] {
			return na[i] < nb[i]
		}
	}
	if len(na) != len(nb) {
		return len(na) < len(nb)
	}
	return a < b
}

func numbers(s string) []int {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r < '0' || r > '9' }) {
		n := 0
		for _, c := range f {
			n = n*10 + int(c-'0')
		}
		out = append(out, n)
	}
	return out
}
