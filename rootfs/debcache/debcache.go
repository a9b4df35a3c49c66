// Package debcache keeps downloaded Debian packages in the shared package
// cache that bootstraps and builds reuse.
package debcache

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Seed fills dir with every .deb file of cache, hard-linked where the two
// share a filesystem and copied where they do not, so that dir can serve as
// an apt archive: apt replaces files there by renaming, never by writing
// into them, so the cache's files are never changed through the links.
func Seed(dir, cache string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("package cache: %w", err)
	}
	debs, _ := filepath.Glob(filepath.Join(cache, "*.deb"))
	for _, d := range debs {
		dst := filepath.Join(dir, filepath.Base(d))
		if err := os.Link(d, dst); err != nil {
			if err := copyFile(d, dst); err != nil {
				return fmt.Errorf("package cache: %w", err)
			}
		}
	}
	return nil
}

// Keep puts every regular .deb file of dir that cache lacks into cache,
// each linked (or copied) under a temporary name and renamed into place,
// so that builds running at once and interrupted copies never leave a
// partial package there. Symbolic links (to the cache itself) are skipped.
func Keep(dir, cache string) error {
	debs, _ := filepath.Glob(filepath.Join(dir, "*.deb"))
	var errs []error
	for _, d := range debs {
		fi, err := os.Lstat(d)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		dst := filepath.Join(cache, filepath.Base(d))
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		errs = append(errs, put(d, dst))
	}
	return errors.Join(errs...)
}

// put copies src to dst through a temporary file in dst's directory; a
// hard link is tried first.
func put(src, dst string) error {
	tmp := fmt.Sprintf("%s.tmp-%d", dst, os.Getpid())
	if err := os.Link(src, tmp); err != nil {
		if err := copyFile(src, tmp); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("package cache: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("package cache: %w", err)
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}
