package chroot

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// SyncDebs copies the packages the build downloaded into the shared cache,
// each under a temporary name renamed into place, so concurrent builds and
// interrupted copies never leave a partial package there.
func (r *Root) SyncDebs() error {
	if r.archives == "" || r.DebCache == "" {
		return nil
	}
	debs, _ := filepath.Glob(filepath.Join(r.archives, "*.deb"))
	var errs []error
	for _, d := range debs {
		fi, err := os.Lstat(d)
		if err != nil || !fi.Mode().IsRegular() {
			continue // a link to the shared cache, or gone
		}
		dst := filepath.Join(r.DebCache, filepath.Base(d))
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		errs = append(errs, copyInto(d, dst))
	}
	return errors.Join(errs...)
}

// copyInto copies src to dst through a temporary file in dst's directory;
// a hard link is tried first.
func copyInto(src, dst string) error {
	tmp := fmt.Sprintf("%s.tmp-%d", dst, os.Getpid())
	if err := os.Link(src, tmp); err != nil {
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.Create(tmp)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, in); err != nil {
			out.Close()
			os.Remove(tmp)
			return fmt.Errorf("package cache: copy %s: %w", src, err)
		}
		if err := out.Close(); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("package cache: %w", err)
	}
	return nil
}
