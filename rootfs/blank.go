package rootfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// blankSlate undoes the chroot preparation and removes what would make two
// instances of the image alike: the machine id, ssh host keys, apt's lists
// and downloaded packages.
func (r *Root) blankSlate(ctx context.Context) error {
	errs := []error{r.chroot.Restore()}
	r.chroot = nil
	at := func(p string) string { return filepath.Join(r.Tree, p) }
	if _, err := os.Stat(at("etc/machine-id")); err == nil {
		errs = append(errs, os.WriteFile(at("etc/machine-id"), nil, 0o444))
	}
	globs := []string{
		"etc/ssh/ssh_host_*",
		"var/lib/apt/lists/*_*",
		"var/cache/apt/*.bin",
		"var/cache/apt/archives/*.deb",
		"var/lib/systemd/random-seed",
	}
	for _, g := range globs {
		matches, err := filepath.Glob(at(g))
		if err != nil {
			return fmt.Errorf("blank slate: %w", err)
		}
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && !fi.IsDir() {
				errs = append(errs, os.Remove(m))
			}
		}
	}
	return errors.Join(errs...)
}
