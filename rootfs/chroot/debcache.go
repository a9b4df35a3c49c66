package chroot

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/rootfs/debcache"
)

// SharedDebs is where the shared package cache appears, read-only, inside
// the root while jobs run.
const SharedDebs = "/var/cache/dib-debs"

// seedArchives fills the build's own apt archive directory with links to
// every package of the shared cache (as the root sees it), so apt finds
// them downloaded. Each build has its own archive directory: apt locks it,
// and builds running at once must not wait for or fail on each other.
func seedArchives(archives, shared string) error {
	if err := os.MkdirAll(filepath.Join(archives, "partial"), 0o755); err != nil {
		return fmt.Errorf("package cache: %w", err)
	}
	debs, _ := filepath.Glob(filepath.Join(shared, "*.deb"))
	for _, d := range debs {
		name := filepath.Base(d)
		if err := os.Symlink(SharedDebs+"/"+name, filepath.Join(archives, name)); err != nil && !os.IsExist(err) {
			return fmt.Errorf("package cache: %w", err)
		}
	}
	return nil
}

// SyncDebs copies the packages the build downloaded into the shared cache
// (see debcache.Keep).
func (r *Root) SyncDebs() error {
	if r.archives == "" || r.DebCache == "" {
		return nil
	}
	return debcache.Keep(r.archives, r.DebCache)
}
