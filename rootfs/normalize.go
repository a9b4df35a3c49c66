package rootfs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// leftovers are the files a build leaves that differ from one run to the
// next though its inputs did not: logs of dpkg, apt and update-alternatives
// (they hold the clock), ldconfig's cache of file times, and the backups
// dpkg and debconf make of their databases before each change (how many
// changes ran, and in which order, is not part of the image), and dbus's
// copy of the machine id. By directory, as glob patterns. (The blank slate
// removes what would make two instances alike: ssh host keys, apt's lists,
// the random seed.)
var leftovers = map[string][]string{
	"/var/log":            {"dpkg.log*", "alternatives.log*", "bootstrap.log"},
	"/var/log/apt":        {"history.log*", "term.log*", "eipp.log*"},
	"/var/cache/ldconfig": {"aux-cache"},
	"/var/cache/debconf":  {"*-old"},
	"/var/lib/dpkg":       {"*-old"},
	"/var/lib/dbus":       {"machine-id"},
}

// normalize makes the tree the same bytes for the same inputs: it removes
// the leftovers, the Python bytecode compiled from sources written during
// the build (it holds their times), sets the password change dates of
// /etc/shadow after the epoch back to it, and clamps every file time to the
// epoch (see epoch.ClampTree).
func (r *Root) normalize(ctx context.Context) error {
	var errs []error
	for dir, pats := range leftovers {
		errs = append(errs, removeIn(r.Tree, dir, pats))
	}
	errs = append(errs, removeStalePyc(r.Tree, r.Epoch), clampShadow(r.Tree, r.Epoch))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("normalize: %w", err)
	}
	return epoch.ClampTree(r.Tree, r.Epoch)
}

// removeIn removes the entries of dir (inside tree, resolved there) that
// match pats and are not directories. A missing dir is no error.
func removeIn(tree, dir string, pats []string) error {
	host, err := inroot.HostPath(tree, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	var errs []error
	for _, pat := range pats {
		matches, err := filepath.Glob(filepath.Join(host, pat))
		if err != nil {
			return fmt.Errorf("remove %s: %w", path.Join(dir, pat), err)
		}
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && !fi.IsDir() {
				errs = append(errs, os.Remove(m))
			}
		}
	}
	return errors.Join(errs...)
}
