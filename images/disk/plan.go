package disk

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// Plan checks spec against the tree and returns the image's layout without
// writing anything. Spec.Size too small for the tree is an error wrapping
// ErrTooSmall. Callers validate input with it before heavy work; Build
// calls it again.
func Plan(tree string, spec Spec) (Layout, error) {
	l, _, err := plan(tree, spec)
	return l, err
}

// MinSize is the smallest Spec.Size that holds tree with spec's ESP.
func MinSize(tree string, spec Spec) (int64, error) {
	if err := spec.Validate(); err != nil {
		return 0, err
	}
	u, err := treeUsage(tree)
	if err != nil {
		return 0, err
	}
	return fixedSize(int64(spec.espSizeMiB())*MiB) + rootMin(u), nil
}

func plan(tree string, spec Spec) (Layout, Usage, error) {
	if err := spec.Validate(); err != nil {
		return Layout{}, Usage{}, err
	}
	u, err := treeUsage(tree)
	if err != nil {
		return Layout{}, Usage{}, err
	}
	if spec.SecureBoot {
		if _, err := FindSignedChain(tree); err != nil {
			return Layout{}, Usage{}, fmt.Errorf("plan disk: %w", err)
		}
	}
	size, err := sizeFor(u, spec)
	if err != nil {
		return Layout{}, Usage{}, err
	}
	return layoutFor(size, int64(spec.espSizeMiB())*MiB), u, nil
}

// treeUsage measures the tree and the GRUB modules Build will copy into
// /boot/grub, when they are not there yet.
func treeUsage(tree string) (Usage, error) {
	u, err := Measure(tree)
	if err != nil {
		return Usage{}, err
	}
	for _, p := range []string{grub.PC, grub.EFI} {
		if _, err := inroot.HostPath(tree, path.Join("/boot/grub", p)); err == nil {
			continue
		}
		src, err := inroot.HostPath(tree, path.Join(grubModulesFrom, p))
		if errors.Is(err, fs.ErrNotExist) {
			return Usage{}, fmt.Errorf("plan disk: tree %s has no GRUB modules for %s in %s (install grub-pc-bin and grub-efi-amd64-bin)", tree, p, grubModulesFrom)
		}
		if err != nil {
			return Usage{}, fmt.Errorf("plan disk: %w", err)
		}
		m, err := Measure(src)
		if err != nil {
			return Usage{}, err
		}
		u = u.Add(m)
	}
	return u, nil
}
