package rootfs

import (
	"context"
	"errors"
	"fmt"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// blankSlate undoes the chroot preparation and removes what would make two
// instances of the image alike: the machine id, ssh host keys, apt's lists
// and downloaded packages. Every change goes through the root-confined
// calls of inroot: a link a package or hook left in the tree is never
// followed out of it.
func (r *Root) blankSlate(ctx context.Context) error {
	errs := []error{r.chroot.Restore()}
	r.chroot = nil
	errs = append(errs, blankMachineID(r.Tree))
	globs := []struct{ dir, pattern string }{
		{"/etc/ssh", "ssh_host_*"},
		{"/var/lib/apt/lists", "*_*"},
		{"/var/cache/apt", "*.bin"},
		{"/var/cache/apt/archives", "*.deb"},
		{"/var/lib/systemd", "random-seed"},
	}
	for _, g := range globs {
		if _, err := inroot.RemoveMatching(r.Tree, g.dir, g.pattern); err != nil {
			errs = append(errs, fmt.Errorf("blank slate: %w", err))
		}
	}
	return errors.Join(errs...)
}

// blankMachineID empties the tree's /etc/machine-id, so that each instance
// makes its own at first boot, unless it says "uninitialized": the other
// blank state systemd knows (first boot semantics, machine-id(5)), which
// the original's sysprep element writes.
func blankMachineID(tree string) error {
	ok, err := inroot.Lexists(tree, "/etc/machine-id")
	if err != nil || !ok {
		return err
	}
	if b, err := inroot.ReadFile(tree, "/etc/machine-id", 64); err == nil && string(b) == "uninitialized\n" {
		return nil
	}
	return inroot.WriteFile(tree, "/etc/machine-id", nil, 0o444)
}
