package rootfs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/rootfs"
)

// TestCacheAndTmpDirsThatLookRemoteAreLocalDirectories: a cache or tmp
// dir named like "u@host:x" is a directory here, given to tar and the
// other tools as an absolute path, never read as a remote one.
func TestCacheAndTmpDirsThatLookRemoteAreLocalDirectories(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	p, err := rootfs.Spec{Flavours: []string{"base"}, CacheDir: "u@host:cache", TmpDir: "nbd:tmp"}.Plan()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(wd, "u@host:cache"), p.Spec.CacheDir)
	assert.Equal(t, filepath.Join(wd, "nbd:tmp"), p.Spec.TmpDir)
	assert.Equal(t, filepath.Join(wd, "u@host:cache", "base"), filepath.Dir(p.Base().Path()))
}
