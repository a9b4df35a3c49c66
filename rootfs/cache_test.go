package rootfs_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// requireBuilder stops t unless the host can build roots.
func requireBuilder(t *testing.T) {
	t.Helper()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd")
}

func TestACachedRootIsReusedUntilAFlavourChanges(t *testing.T) {
	requireBuilder(t)
	fl := filepath.Join(t.TempDir(), "flavours")
	hook := filepath.Join(fl, "dib-test-counted/extra-data.d/10-count")
	require.NoError(t, os.MkdirAll(filepath.Dir(hook), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(fl, "dib-test-counted/README.md"), []byte("counts its runs"), 0o644))
	write := func(marker string) {
		script := "#!/bin/sh\necho run >> \"$DIB_TEST_COUNTER\"\necho " + marker + " > \"$TARGET_ROOT/etc/dib-marker\"\n"
		require.NoError(t, os.WriteFile(hook, []byte(script), 0o755))
	}
	counter := filepath.Join(t.TempDir(), "runs")
	cache := t.TempDir()
	// The base cache is shared; only the roots go to a private cache.
	for _, d := range []string{"base", "debs"} {
		require.NoError(t, os.Symlink(filepath.Join(testenv.CacheDir(), d), filepath.Join(cache, d)))
	}
	build := func(cacheRoot bool) (string, *rootfs.Result) {
		p, err := rootfs.Spec{
			Name: "root", Flavours: []string{"dib-test-counted"}, FlavoursPath: []string{fl},
			CacheDir: cache, TmpDir: t.TempDir(), CacheRoot: cacheRoot,
			Env: []string{"DIB_TEST_COUNTER=" + counter}, Log: testWriter{t},
		}.Plan()
		require.NoError(t, err)
		root, err := rootfs.Build(context.Background(), p)
		defer func() { require.NoError(t, root.Close()) }()
		require.NoError(t, err)
		data, err := os.ReadFile(filepath.Join(root.Tree, "etc/dib-marker"))
		require.NoError(t, err)
		return strings.TrimSpace(string(data)), &root.Result
	}
	runs := func() int {
		data, _ := os.ReadFile(counter)
		return strings.Count(string(data), "run")
	}
	write("first")
	marker, first := build(true)
	assert.Equal(t, "first", marker)
	assert.False(t, first.Cached)
	marker, again := build(true)
	assert.Equal(t, "first", marker, "the cached root has what the hooks made")
	assert.True(t, again.Cached)
	assert.Equal(t, first.Fingerprint, again.Fingerprint, "same inputs, same fingerprint")
	assert.Equal(t, 1, runs(), "hooks did not run again")
	write("second")
	marker, changed := build(true)
	assert.Equal(t, "second", marker, "a changed hook is a new root")
	assert.NotEqual(t, first.Fingerprint, changed.Fingerprint)
	assert.Equal(t, 2, runs())
	build(false)
	assert.Equal(t, 3, runs(), "without CacheRoot the hooks run")
	roots, _ := filepath.Glob(filepath.Join(cache, "roots", "*.tar.zst"))
	assert.Len(t, roots, 2)

	// A cached root cut short (a crash, a full disk) is not trusted.
	entry := filepath.Join(cache, "roots", changed.Fingerprint[:20]+".tar.zst")
	require.NoError(t, os.Truncate(entry, 1000))
	marker, rebuilt := build(true)
	assert.Equal(t, "second", marker)
	assert.False(t, rebuilt.Cached, "a truncated root is built again")
	assert.Equal(t, 4, runs())
}

// testWriter writes a build's log into the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
