package debcache

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKeepAddsOnlyNewRegularPackagesAndLeavesNoTemporaryFiles(t *testing.T) {
	dir, cache := t.TempDir(), t.TempDir()
	write := func(p, s string) { require.NoError(t, os.WriteFile(p, []byte(s), 0o644)) }
	write(filepath.Join(dir, "new_1_amd64.deb"), "new")
	write(filepath.Join(dir, "old_1_amd64.deb"), "downloaded again")
	write(filepath.Join(cache, "old_1_amd64.deb"), "cached")
	write(filepath.Join(dir, "notes.txt"), "not a package")
	require.NoError(t, os.Symlink("/elsewhere/linked_1_amd64.deb", filepath.Join(dir, "linked_1_amd64.deb")))

	require.NoError(t, Keep(dir, cache))

	got, err := os.ReadFile(filepath.Join(cache, "new_1_amd64.deb"))
	require.NoError(t, err)
	assert.Equal(t, "new", string(got))
	got, _ = os.ReadFile(filepath.Join(cache, "old_1_amd64.deb"))
	assert.Equal(t, "cached", string(got), "a cached package is not replaced")
	entries, _ := os.ReadDir(cache)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.ElementsMatch(t, []string{"new_1_amd64.deb", "old_1_amd64.deb"}, names, "no links, no other files, no temporary names")
}

func TestKeepReportsACacheItCannotWrite(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a_1_amd64.deb"), []byte("a"), 0o644))
	err := Keep(dir, filepath.Join(dir, "missing", "cache"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "package cache")
}

func TestSeedLinksEveryCachedPackageSoKeepAddsOnlyTheNewOnes(t *testing.T) {
	cache, dir := t.TempDir(), filepath.Join(t.TempDir(), "archives")
	require.NoError(t, os.WriteFile(filepath.Join(cache, "a_1_amd64.deb"), []byte("a"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(cache, "b_1_amd64.deb"), []byte("b"), 0o644))
	require.NoError(t, Seed(dir, cache))
	for _, n := range []string{"a_1_amd64.deb", "b_1_amd64.deb"} {
		in, err := os.Stat(filepath.Join(dir, n))
		require.NoError(t, err)
		orig, _ := os.Stat(filepath.Join(cache, n))
		assert.True(t, os.SameFile(in, orig), "%s is a link to the cached file, not a copy", n)
	}
	// apt removes and downloads in the archive; the cache keeps its files.
	require.NoError(t, os.Remove(filepath.Join(dir, "a_1_amd64.deb")))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "c_1_amd64.deb"), []byte("c"), 0o644))
	require.NoError(t, Keep(dir, cache))
	entries, _ := os.ReadDir(cache)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"a_1_amd64.deb", "b_1_amd64.deb", "c_1_amd64.deb"}, names)
}
