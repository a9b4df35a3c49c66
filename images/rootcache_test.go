package images_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
)

func TestBuildRootReusesACachedRootUntilAFlavourChanges(t *testing.T) {
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
	linkBase(t, cache)
	build := func(noCache bool) string {
		spec := testSpec(t, "root", "dib-test-counted")
		spec.FlavoursPath = []string{fl}
		spec.CacheDir = cache
		spec.Env = []string{"DIB_TEST_COUNTER=" + counter}
		spec.NoRootCache = noCache
		var marker string
		_, err := images.BuildRoot(context.Background(), spec, func(ctx context.Context, w *images.Work) error {
			data, err := os.ReadFile(filepath.Join(w.Root, "etc/dib-marker"))
			marker = strings.TrimSpace(string(data))
			return err
		})
		require.NoError(t, err)
		return marker
	}
	runs := func() int {
		data, _ := os.ReadFile(counter)
		return strings.Count(string(data), "run")
	}
	write("first")
	assert.Equal(t, "first", build(false))
	assert.Equal(t, "first", build(false), "the cached root has what the hooks made")
	assert.Equal(t, 1, runs(), "hooks did not run again")
	write("second")
	assert.Equal(t, "second", build(false), "a changed hook is a new root")
	assert.Equal(t, 2, runs())
	build(true)
	assert.Equal(t, 3, runs(), "NoRootCache runs the hooks")
	roots, _ := filepath.Glob(filepath.Join(cache, "roots", "*.tar.zst"))
	assert.Len(t, roots, 2)
}

// linkBase makes cache share the tests' base roots and packages.
func linkBase(t *testing.T, cache string) {
	shared := testSpec(t, "x", "dib-test-all").CacheDir
	for _, d := range []string{"base", "debs"} {
		require.NoError(t, os.Symlink(filepath.Join(shared, d), filepath.Join(cache, d)))
	}
}
