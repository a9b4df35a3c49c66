package rootfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// rootCacheKeep is how many built roots the cache keeps, newest used first.
const rootCacheKeep = 6

// cachePath is where the built root of this build is cached: named by the
// fingerprint of its inputs.
func (r *Root) cachePath() string {
	return filepath.Join(r.Plan.Spec.CacheDir, "roots", r.Fingerprint[:20]+".tar.zst")
}

// fromCache unpacks the cached root of these inputs into the tree, if the
// cache has it sealed (see bootstrap.Seal), and marks it most recently
// used. An entry cut short or without its seal is removed and built again.
func (r *Root) fromCache(ctx context.Context) (bool, error) {
	p := r.cachePath()
	if !bootstrap.Sealed(p) {
		if err := bootstrap.Discard(p); err != nil {
			return false, fmt.Errorf("root cache: %w", err)
		}
		return false, nil
	}
	if err := bootstrap.Untrusted(p); err != nil {
		r.logf("bootstrap: the cached root is not taken: %v; its hooks run again", err)
		return false, bootstrap.Discard(p)
	}
	now := time.Now()
	if err := os.Chtimes(p, now, now); err != nil {
		return false, fmt.Errorf("root cache: mark %s used: %w", p, err)
	}
	r.logf("bootstrap: root with these flavours cached (%s); its hooks are not run again", filepath.Base(p))
	return true, bootstrap.Unpack(ctx, p, r.Tree)
}

// cacheTmpPrefix starts the names of the root cache's temporary
// directories (see sweep).
const cacheTmpPrefix = ".tmp-"

// saveToCache packs the built tree into the cache, then trims the cache to
// its newest entries.
func (r *Root) saveToCache(ctx context.Context) (err error) {
	final := r.cachePath()
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fmt.Errorf("root cache: %w", err)
	}
	owned, err := workdir.Make(filepath.Dir(final), cacheTmpPrefix+"*")
	if err != nil {
		return fmt.Errorf("root cache: %w", err)
	}
	r.Janitor.Add(owned.Path)
	defer func() { err = errors.Join(err, owned.Remove()); r.Janitor.Forget(owned.Path) }()
	tmp := filepath.Join(owned.Path, filepath.Base(final))
	argv := []string{"tar", "--create", "--force-local", "--file", tmp, "--directory", r.Tree, "--numeric-owner",
		"--xattrs", "--xattrs-include=*", "--use-compress-program=zstd -T0 -1", "."}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("root cache: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return fmt.Errorf("root cache: %w", err)
	}
	if err := bootstrap.Seal(final, r.Epoch); err != nil {
		return fmt.Errorf("root cache: %w", err)
	}
	return trimCache(filepath.Dir(final), rootCacheKeep)
}

// trimCache removes all but the keep most recently used roots.
func trimCache(dir string, keep int) error {
	entries, err := filepath.Glob(filepath.Join(dir, "*.tar.zst"))
	if err != nil || len(entries) <= keep {
		return err
	}
	used := map[string]time.Time{}
	for _, p := range entries {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("trim root cache: %w", err)
		}
		used[p] = fi.ModTime()
	}
	sort.Slice(entries, func(i, j int) bool { return used[entries[i]].After(used[entries[j]]) })
	var errs []error
	for _, p := range entries[keep:] {
		errs = append(errs, bootstrap.Discard(p))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("trim root cache: %w", err)
	}
	return nil
}
