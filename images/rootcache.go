package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/images/bootstrap"
	"github.com/tripleo/diskimage-builder/internal/run"
)

// rootCacheKeep is how many built roots the cache keeps, newest used first.
const rootCacheKeep = 6

// fingerprintRoot names the root this build makes before BuildRoot's
// caller finishes it: a hash of its Inputs.
func (b *builder) fingerprintRoot() (string, error) {
	lines, err := inputs(b.spec, b.set)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return hex.EncodeToString(sum[:])[:20], nil
}

// rootCachePath is where the built root of key is cached.
func (b *builder) rootCachePath(key string) string {
	return filepath.Join(b.spec.CacheDir, "roots", key+".tar.zst")
}

// cachedRoot unpacks the cached root of key into the build's root
// directory, if the cache has it.
func (b *builder) cachedRoot(ctx context.Context, key string) (bool, error) {
	p := b.rootCachePath(key)
	if _, err := os.Stat(p); err != nil {
		return false, nil
	}
	now := time.Now()
	os.Chtimes(p, now, now) // most recently used
	b.logf("bootstrap: root with these flavours cached (%s); hooks up to post-install are not run again", filepath.Base(p))
	return true, bootstrap.Unpack(ctx, p, b.rootDir)
}

// saveRoot packs the built root into the cache under key, then trims the
// cache to its newest entries.
func (b *builder) saveRoot(ctx context.Context, key string) error {
	final := b.rootCachePath(key)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return fmt.Errorf("root cache: %w", err)
	}
	tmp := fmt.Sprintf("%s.tmp-%d", final, os.Getpid())
	b.jan.Add(tmp)
	defer b.jan.Forget(tmp)
	argv := []string{"tar", "--create", "--file", tmp, "--directory", b.rootDir, "--numeric-owner",
		"--xattrs", "--xattrs-include=*", "--use-compress-program=zstd -T0 -1", "."}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("root cache: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("root cache: %w", err)
	}
	trimRootCache(filepath.Dir(final), rootCacheKeep)
	return nil
}

// trimRootCache removes all but the keep most recently used roots.
func trimRootCache(dir string, keep int) {
	entries, _ := filepath.Glob(filepath.Join(dir, "*.tar.zst"))
	if len(entries) <= keep {
		return
	}
	mtime := func(p string) time.Time {
		fi, err := os.Stat(p)
		if err != nil {
			return time.Time{}
		}
		return fi.ModTime()
	}
	sort.Slice(entries, func(i, j int) bool { return mtime(entries[i]).After(mtime(entries[j])) })
	for _, p := range entries[keep:] {
		os.Remove(p)
	}
}
