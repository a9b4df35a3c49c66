package disk

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// prepareTree writes what the image needs into the tree before its
// filesystem is made: grub.cfg, an empty grubenv unless there is one,
// fstab, the /boot/efi mount point and GRUB's modules under
// /boot/grub/PLATFORM, where GRUB's normal mode loads them from.
func prepareTree(tree string, c BootConfig, espUUID string) error {
	if err := inroot.WriteFile(tree, "/boot/grub/grub.cfg", []byte(GrubCfg(c)), 0o644); err != nil {
		return fmt.Errorf("prepare tree: %w", err)
	}
	if err := inroot.WriteFile(tree, "/etc/fstab", []byte(Fstab(c.RootUUID, espUUID)), 0o644); err != nil {
		return fmt.Errorf("prepare tree: %w", err)
	}
	if _, err := inroot.HostPath(tree, "/boot/grub/grubenv"); err != nil {
		if err := inroot.WriteFile(tree, "/boot/grub/grubenv", Grubenv(), 0o644); err != nil {
			return fmt.Errorf("prepare tree: %w", err)
		}
	}
	if _, err := inroot.MkdirAll(tree, "/boot/efi", 0o755); err != nil {
		return fmt.Errorf("prepare tree: %w", err)
	}
	for _, p := range []string{grub.PC, grub.EFI} {
		if err := copyGrubModules(tree, p); err != nil {
			return fmt.Errorf("prepare tree: %w", err)
		}
	}
	return nil
}

// grubModulesFrom is where GRUB's packages install modules in the tree.
const grubModulesFrom = "/usr/lib/grub"

// copyGrubModules copies the tree's modules and module lists of platform
// into /boot/grub/PLATFORM, as grub-install does.
func copyGrubModules(tree, platform string) error {
	src, err := inroot.HostPath(tree, path.Join(grubModulesFrom, platform))
	if err != nil {
		return fmt.Errorf("copy grub modules: %w", err)
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("copy grub modules: %w", err)
	}
	for _, e := range entries {
		n := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(n, ".mod") || strings.HasSuffix(n, ".lst")) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, n))
		if err != nil {
			return fmt.Errorf("copy grub modules: %w", err)
		}
		if err := inroot.WriteFile(tree, path.Join("/boot/grub", platform, n), data, 0o644); err != nil {
			return fmt.Errorf("copy grub modules: %w", err)
		}
	}
	return nil
}

// osTitle is the tree's PRETTY_NAME from os-release, for the menu entry.
func osTitle(tree string) string {
	for _, p := range []string{"/etc/os-release", "/usr/lib/os-release"} {
		host, err := inroot.HostPath(tree, p)
		if err != nil {
			continue
		}
		f, err := os.Open(host)
		if err != nil {
			continue
		}
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if v, ok := strings.CutPrefix(s.Text(), "PRETTY_NAME="); ok {
				return strings.Trim(v, `"'`)
			}
		}
	}
	return "Linux"
}
