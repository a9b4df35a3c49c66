package faults

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// TestAnImageCarriesNothingOfTheBuildHost builds from an empty base cache
// (the bootstrap copies host files) on a host whose name and resolver are
// markers, then looks for them in every byte of the image's tar.
func TestAnImageCarriesNothingOfTheBuildHost(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "unshare", "mount", "hostname", "mmdebstrap", "go")
	dic := command(t, "disk-image-create")
	fl, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	out, cache := t.TempDir(), t.TempDir()
	linkPackageCache(t, cache)

	hostMarker := "dib-host-marker-" + randomHex()[:8]
	resolvMarker := "dib-resolv-marker-" + randomHex()[:8]
	hostResolv, err := os.ReadFile("/etc/resolv.conf")
	require.NoError(t, err)
	resolv := filepath.Join(t.TempDir(), "resolv.conf")
	require.NoError(t, os.WriteFile(resolv, append(hostResolv, []byte("# "+resolvMarker+"\nsearch "+resolvMarker+".invalid\n")...), 0o644))

	// The build runs where the host is called hostMarker and its
	// resolv.conf carries resolvMarker (nameservers kept: it downloads).
	script := `hostname "$1" && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"`
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DIB_FAULT_TOKEN=" + randomHex()}
	p := start(t, env, "unshare", "--uts", "--mount", "sh", "-c", script, "sh", hostMarker, resolv,
		dic, "-o", filepath.Join(out, "img"), "-t", "tar", "--image-cache", cache, "--flavours-path", fl, "dib-test-identity")
	require.Equal(t, 0, p.wait(), p.log())

	tarball := filepath.Join(out, "img.tar")
	data, err := os.ReadFile(tarball)
	require.NoError(t, err)
	assert.False(t, bytes.Contains(data, []byte(hostMarker)), "the build host's name is in the image")
	assert.False(t, bytes.Contains(data, []byte(resolvMarker)), "the build host's resolv.conf is in the image")

	tree := t.TempDir()
	_, err = run.Run(t.Context(), run.Cmd{Argv: []string{"tar", "-xf", tarball, "-C", tree, "./etc"}})
	require.NoError(t, err)
	name, err := os.ReadFile(filepath.Join(tree, "etc/hostname"))
	require.NoError(t, err)
	assert.Equal(t, "localhost\n", string(name), "/etc/hostname")
	name, err = os.ReadFile(filepath.Join(tree, "etc/dib-test-hostname-at-build"))
	require.NoError(t, err)
	assert.Equal(t, "localhost\n", string(name), "the host name hooks see")
	if fi, err := os.Lstat(filepath.Join(tree, "etc/resolv.conf")); err == nil {
		assert.Equal(t, os.ModeSymlink, fi.Mode()&os.ModeSymlink, "a resolv.conf in the image is the network stack's link")
	}
}

// linkPackageCache fills cache's package directory with hard links to the
// shared cache's downloaded packages, so that a cold bootstrap into cache
// need not download them again.
func linkPackageCache(t *testing.T, cache string) {
	t.Helper()
	shared := filepath.Join(testenv.CacheDir(), "debs")
	if _, err := os.Stat(shared); err != nil {
		return
	}
	_, err := run.Run(t.Context(), run.Cmd{Argv: []string{"cp", "-al", shared, filepath.Join(cache, "debs")}})
	require.NoError(t, err)
}
