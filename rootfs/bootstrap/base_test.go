package bootstrap_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testbase"
)

// The base is made with update-initramfs and update-ca-certificates
// deferred to the end of the bootstrap (hooks/essential-defer): what is
// left must be exactly what an undeferred install leaves.
func TestTheBaseHasAnInitramfsPerKernelAndNoTraceOfTheDeferredCommands(t *testing.T) {
	tree := testbase.Tree(t)
	kernels, _ := filepath.Glob(filepath.Join(tree, "boot", "vmlinuz-*"))
	require.NotEmpty(t, kernels, "the base has a kernel")
	for _, k := range kernels {
		ver := strings.TrimPrefix(filepath.Base(k), "vmlinuz-")
		fi, err := os.Stat(filepath.Join(tree, "boot", "initrd.img-"+ver))
		if assert.NoError(t, err, "an initramfs for kernel %s", ver) {
			assert.Greater(t, fi.Size(), int64(1<<20), "the initramfs of %s holds modules", ver)
		}
	}
	real, err := os.ReadFile(filepath.Join(tree, "usr/sbin/update-initramfs"))
	require.NoError(t, err)
	assert.Contains(t, string(real), "mkinitramfs", "update-initramfs is initramfs-tools' own again")
	diversions, err := os.ReadFile(filepath.Join(tree, "var/lib/dpkg/diversions"))
	require.NoError(t, err)
	assert.NotContains(t, string(diversions), ".dib-deferred", "no diversion is left")
	leftovers, _ := filepath.Glob(filepath.Join(tree, "usr/sbin/*.dib-deferred"))
	assert.Empty(t, leftovers)
	debs, _ := filepath.Glob(filepath.Join(tree, "var/cache/apt/archives/*.deb"))
	assert.Empty(t, debs, "no package is left in the base")
}

// The packages a bootstrap downloads end up in the shared package cache.
func TestTheBasesPackagesAreInThePackageCache(t *testing.T) {
	testbase.Tarball(t)
	cache := testbase.Options().DebCache()
	for _, p := range []string{"linux-image-*", "initramfs-tools_*", "e2fsprogs_*", "libc6_*"} {
		found, _ := filepath.Glob(filepath.Join(cache, p+".deb"))
		assert.NotEmpty(t, found, "%s.deb in %s", p, cache)
	}
	tmp, _ := filepath.Glob(filepath.Join(cache, "*.tmp-*"))
	assert.Empty(t, tmp, "no temporary file in the cache")
}
