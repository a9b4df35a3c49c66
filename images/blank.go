package images

import (
	"context"
	"errors"
	"os"
	"path/filepath"
)

// blankSlate removes what the build put into the root and what would make
// two instances of the image alike: the build-time files, the machine id,
// ssh host keys and apt's lists.
func (b *builder) blankSlate(ctx context.Context) error {
	errs := []error{b.root.Restore()}
	r := func(p string) string { return filepath.Join(b.rootDir, p) }
	if _, err := os.Stat(r("etc/machine-id")); err == nil {
		errs = append(errs, os.WriteFile(r("etc/machine-id"), nil, 0o444))
	}
	globs := []string{
		"etc/ssh/ssh_host_*",
		"var/lib/apt/lists/*_*",
		"var/cache/apt/*.bin",
		"var/cache/apt/archives/*.deb",
		"var/lib/systemd/random-seed",
	}
	for _, g := range globs {
		matches, _ := filepath.Glob(r(g))
		for _, m := range matches {
			if fi, err := os.Lstat(m); err == nil && !fi.IsDir() {
				errs = append(errs, os.Remove(m))
			}
		}
	}
	return errors.Join(errs...)
}
