package bootstrap

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
)

func TestTheCacheKeyChangesWithEveryInput(t *testing.T) {
	base := Options{Release: "trixie", Arch: "amd64", Mirror: "http://m/debian", CacheDir: "/c"}
	keys := map[string]bool{base.Key(): true}
	for _, o := range []Options{
		{Release: "bookworm", Arch: "amd64", Mirror: "http://m/debian"},
		{Release: "trixie", Arch: "arm64", Mirror: "http://m/debian"},
		{Release: "trixie", Arch: "amd64", Mirror: "http://other/debian"},
		{Release: "trixie", Arch: "amd64", Mirror: "http://m/debian", Packages: []string{"vim"}},
		{Release: "trixie", Arch: "amd64", Mirror: "http://m/debian", Keyring: []byte("key")},
		{Release: "trixie", Arch: "amd64", Mirror: "http://m/debian", Sources: []archive.Source{{URI: "http://m/debian", Suite: "trixie", Components: []string{"main"}}}},
	} {
		keys[o.Key()] = true
	}
	assert.Len(t, keys, 7, "packages, keyring and sources shape the base")
	srcs, err := base.AptSources()
	require.NoError(t, err)
	explicit := base
	explicit.Sources = srcs
	assert.Equal(t, base.Key(), explicit.Key(), "the default sources given explicitly are the same base")
	same := base
	same.CacheDir = "/elsewhere"
	same.Packages = []string{"zstd", " "} // already in the base set
	assert.Equal(t, base.Key(), same.Key(), "the cache location and repeated packages do not change the base")
	assert.True(t, strings.HasPrefix(base.Path(), "/c/base/trixie-amd64-"))
	assert.NotEqual(t, base.scratchName(), same.scratchName(),
		"the same base made in two caches at once (each under its own lock) has two scratch directories")
}

func TestAnOfflineBuildTakesTheCachedBaseAsItIsAndNeedsOne(t *testing.T) {
	o := Options{Release: "trixie", Arch: "amd64", Mirror: "http://127.0.0.1:1/debian", CacheDir: t.TempDir(), Offline: true}
	_, err := Ensure(context.Background(), o, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "offline: no trixie/amd64 base of these settings is cached")
	entry, err := place(o, writeTemp(t, "base"), archive.State{Suites: []archive.Suite{{Suite: "trixie-security", Date: time.Now().Add(-49 * time.Hour)}}})
	require.NoError(t, err)
	var log strings.Builder
	got, err := Ensure(context.Background(), o, nil, &log)
	require.NoError(t, err, "the unreachable mirror is not asked")
	assert.Equal(t, entry, got)
	assert.Contains(t, log.String(), "the cached base's archive state is 49h0m0s old (trixie-security ")
	o.Offline = false
	_, err = Ensure(context.Background(), o, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach the archive")
	assert.Contains(t, err.Error(), "127.0.0.1:1")
}

// writeTemp writes content to a new file of t and returns its path.
func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func TestTheHostMirrorIsReadFromAptSources(t *testing.T) {
	dir := t.TempDir()
	one := filepath.Join(dir, "one.list")
	require.NoError(t, os.WriteFile(one, []byte("# comment\ndeb [arch=amd64] http://mirror.example/debian/ bookworm main\n"), 0o644))
	assert.Equal(t, "http://mirror.example/debian", mirrorIn(one))
	deb822 := filepath.Join(dir, "debian.sources")
	require.NoError(t, os.WriteFile(deb822, []byte("Types: deb\nURIs: https://m.example/debian\nSuites: trixie\n"), 0o644))
	assert.Equal(t, "https://m.example/debian", mirrorIn(deb822))
	assert.Equal(t, "", mirrorIn(filepath.Join(dir, "missing")))
}

func TestAnInterruptedBootstrapLeavesNoCacheEntry(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap")
	o := Options{Release: DefaultRelease, Arch: "amd64", Mirror: HostMirror(), CacheDir: t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	_, err := Ensure(ctx, o, nil, io.Discard)
	require.Error(t, err)
	entries, _ := filepath.Glob(filepath.Join(o.CacheDir, "base", "*"))
	for _, e := range entries {
		assert.True(t, strings.HasSuffix(e, ".lock"), "only the lock file may remain: %s", e)
	}
	_, err = os.Stat(o.Path())
	assert.True(t, os.IsNotExist(err), "no entry at the final path")
	if d := RAMDir(true); d != "" {
		left, _ := filepath.Glob(filepath.Join(d, o.scratchName()+"*"))
		assert.Empty(t, left, "mmdebstrap's scratch is removed")
	}
}

// A bootstrap that fails after the package cache is in the tree (here: a
// package that does not exist) keeps the cache whole and what it
// downloaded, and leaves nothing mounted.
func TestAFailedBootstrapKeepsThePackageCacheAndLeavesNothingMounted(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap")
	o := Options{Release: DefaultRelease, Arch: "amd64", Mirror: HostMirror(), CacheDir: t.TempDir(),
		Packages: []string{"dib-no-such-package"}}
	debs := o.DebCache()
	require.NoError(t, os.MkdirAll(debs, 0o755))
	cached := filepath.Join(debs, "cached_1.0_all.deb")
	require.NoError(t, os.WriteFile(cached, []byte("a cached package"), 0o644))

	_, err := Ensure(context.Background(), o, nil, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bootstrap "+DefaultRelease+"/amd64")

	data, err := os.ReadFile(cached)
	require.NoError(t, err, "the package cache is kept")
	assert.Equal(t, "a cached package", string(data))
	essential, _ := filepath.Glob(filepath.Join(debs, "libc6_*.deb"))
	assert.NotEmpty(t, essential, "what was downloaded before the failure is kept")
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	require.NoError(t, err)
	assert.NotContains(t, string(mounts), o.CacheDir, "nothing is left mounted from the cache")
	left, _ := filepath.Glob(filepath.Join(o.CacheDir, "base", ".tmp-*"))
	assert.Empty(t, left, "the bootstrap's temporary directory is removed")
}

func TestACacheEntryOthersCouldHaveWrittenIsNotTaken(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "cache")
	o := Options{Release: "trixie", Arch: "amd64", Mirror: "http://127.0.0.1:1/debian", CacheDir: cache, Offline: true}
	require.NoError(t, EnsureCacheDir(cache))
	fi, err := os.Stat(cache)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm(), "other users read nothing of this user's cache")
	entry, err := place(o, writeTemp(t, "base"), archive.State{Suites: []archive.Suite{{Suite: "trixie", Date: time.Now()}}})
	require.NoError(t, err)
	assert.NoError(t, Untrusted(entry))
	_, err = Ensure(context.Background(), o, nil, io.Discard)
	require.NoError(t, err)

	require.NoError(t, os.Chmod(sumPath(entry), 0o666))
	assert.ErrorContains(t, Untrusted(entry), "is writable by others (mode 0666)")
	_, err = Ensure(context.Background(), o, nil, io.Discard)
	assert.ErrorContains(t, err, "the cached base cannot be taken")
	require.NoError(t, os.Chmod(sumPath(entry), 0o644))

	require.NoError(t, os.Chmod(filepath.Dir(entry), 0o777))
	assert.ErrorContains(t, Untrusted(entry), "is writable by others")
	require.NoError(t, os.Chmod(filepath.Dir(entry), 0o755))
	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(entry, 65534, 65534))
		assert.ErrorContains(t, Untrusted(entry), "belongs to user 65534")
	}
}

// A cache whose base directory is a link to a trusted one (as tests share
// the base cache) is trusted: a link's own mode says nothing.
func TestACacheDirectoryLinkedToATrustedOneIsTrusted(t *testing.T) {
	real := filepath.Join(t.TempDir(), "cache")
	o := Options{Release: "trixie", Arch: "amd64", Mirror: "http://127.0.0.1:1/debian", CacheDir: real, Offline: true}
	entry, err := place(o, writeTemp(t, "base"), archive.State{Suites: []archive.Suite{{Suite: "trixie", Date: time.Now()}}})
	require.NoError(t, err)
	linked := filepath.Join(t.TempDir(), "other")
	require.NoError(t, os.Mkdir(linked, 0o700))
	require.NoError(t, os.Symlink(filepath.Dir(entry), filepath.Join(linked, "base")))
	assert.NoError(t, Untrusted(filepath.Join(linked, "base", filepath.Base(entry))))
}
