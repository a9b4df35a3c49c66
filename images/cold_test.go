package images_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// TestAColdCacheMakesTheSameBaseAndTheSameOutputs builds the reference
// spec from an empty cache (the packages already downloaded are linked in,
// so only the mirror's indexes are fetched): mmdebstrap makes the base
// again, and the base and every output are the same bytes as from the
// shared cache. When the shared base was made from an older state of the
// mirror (its release file's date, the base's epoch, differs), a second
// cold build is the reference instead.
func TestAColdCacheMakesTheSameBaseAndTheSameOutputs(t *testing.T) {
	requireBuilder(t)
	t.Parallel()
	cold := reproSpec(t, reproFlavours(t), coldCache(t))
	var r *reference
	var errCold error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); r = referenceBuild(t) }()
	go func() { defer wg.Done(); _, errCold = images.Build(context.Background(), cold) }()
	wg.Wait()
	require.NoError(t, r.err)
	require.NoError(t, errCold)
	want, wantSums := baseStamp(t, r.spec), r.sums
	got := baseStamp(t, cold)
	if !got.Epoch.Equal(want.Epoch) {
		t.Logf("the shared base is from the mirror of %s, this one from that of %s: comparing two cold builds", want.Epoch, got.Epoch)
		again := reproSpec(t, cold.FlavoursPath[0], coldCache(t))
		_, err := images.Build(context.Background(), again)
		require.NoError(t, err)
		want, wantSums = baseStamp(t, again), sums(t, again)
	}
	assert.Equal(t, want.SHA256, got.SHA256, "the base tarball is the same bytes")
	assert.Equal(t, wantSums, sums(t, cold), "every output is the same bytes")
}

// coldCache is an empty cache on the shared cache's filesystem, holding
// links to the shared cache's downloaded packages only.
func coldCache(t *testing.T) string {
	t.Helper()
	shared := testenv.CacheDir()
	require.NoError(t, os.MkdirAll(shared, 0o755))
	dir, err := os.MkdirTemp(filepath.Dir(shared), ".dib-test-cold-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	if _, err := os.Stat(filepath.Join(shared, "debs")); err == nil {
		_, err = run.Run(context.Background(), run.Cmd{Argv: []string{"cp", "-al", filepath.Join(shared, "debs"), dir}})
		require.NoError(t, err, "link the package cache")
	}
	return dir
}

// baseStamp is the seal of the base a build of spec started from.
func baseStamp(t *testing.T, spec images.Spec) bootstrap.Stamp {
	t.Helper()
	p, err := spec.Plan()
	require.NoError(t, err)
	st, err := bootstrap.ReadStamp(p.Root.Base().Path())
	require.NoError(t, err)
	return st
}
