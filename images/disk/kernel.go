package disk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
)

// Kernel is a kernel in a tree's /boot.
type Kernel struct {
	Version string // e.g. 6.12.48+deb13-amd64
	Image   string // path in the tree, /boot/vmlinuz-VERSION
	Initrd  string // path in the tree, /boot/initrd.img-VERSION; empty if there is none
}

// FindKernel returns the newest kernel in tree/boot by Debian version
// order, with its initrd if there is one.
func FindKernel(tree string) (Kernel, error) {
	entries, err := os.ReadDir(filepath.Join(tree, "boot"))
	if err != nil {
		return Kernel{}, fmt.Errorf("find kernel in %s: %w", tree, err)
	}
	var best string
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), "vmlinuz-")
		if !ok || v == "" || !e.Type().IsRegular() {
			continue
		}
		if best == "" || debversion.Compare(v, best) > 0 {
			best = v
		}
	}
	if best == "" {
		return Kernel{}, fmt.Errorf("find kernel in %s: no /boot/vmlinuz-VERSION", tree)
	}
	k := Kernel{Version: best, Image: "/boot/vmlinuz-" + best}
	if fi, err := os.Stat(filepath.Join(tree, "boot", "initrd.img-"+best)); err == nil && fi.Mode().IsRegular() {
		k.Initrd = "/boot/initrd.img-" + best
	}
	// Debian keeps /vmlinuz and /initrd.img pointing at the newest kernel;
	// booting through them keeps the image bootable after a kernel upgrade
	// inside the instance, which does not rewrite this grub.cfg.
	if linksTo(tree, "vmlinuz", k.Image) {
		k.Image = "/vmlinuz"
		if k.Initrd != "" && linksTo(tree, "initrd.img", k.Initrd) {
			k.Initrd = "/initrd.img"
		}
	}
	return k, nil
}

// linksTo reports whether the symlink /name in tree points at target.
func linksTo(tree, name, target string) bool {
	dest, err := os.Readlink(filepath.Join(tree, name))
	if err != nil {
		return false
	}
	return "/"+strings.TrimPrefix(dest, "/") == target
}
