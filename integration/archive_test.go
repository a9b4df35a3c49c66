package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/archive/archivetest"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
	"github.com/tripleo/diskimage-builder/rootfs/debcache"
)

// TestAWarmBuildUpgradesTheCachedBaseWhenTheArchiveMovesAndTakesItAsItIsWhenNot
// uses a local signed apt repository on loopback (a throw-away key, given
// as DIB_APT_KEYRING) as an extra suite of a base that installs its
// package: a first build makes the base; a newer version is published and
// the next build upgrades the cached base (no new bootstrap); a third,
// with nothing published, takes the unchanged path; --offline asks
// nothing; an unreachable archive is an error naming it. Then an image
// whose hook holds the package back names it once as behind the archive.
func TestAWarmBuildUpgradesTheCachedBaseWhenTheArchiveMovesAndTakesItAsItIsWhenNot(t *testing.T) {
	t.Parallel()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, append([]string{"mmdebstrap", "tar", "zstd", "gpgv"}, archivetest.Commands...)...)
	ctx := context.Background()
	signer := archivetest.NewSigner(t)
	repo := archivetest.NewRepo(t, signer)
	repo.AddPackage(t, "dibtest-hello", "1.0")
	repo.Publish(t, "local", "amd64")
	keyring := filepath.Join(t.TempDir(), "repo.asc")
	require.NoError(t, os.WriteFile(keyring, signer.Keyring(t, true), 0o644))

	mirror := bootstrap.HostMirror()
	sec, err := archive.SecurityMirrorOf(mirror)
	require.NoError(t, err)
	conf := strings.Join([]string{
		"debian:deb " + mirror + " trixie main", "debian-updates:deb " + mirror + " trixie-updates main",
		"debian-security:deb " + sec + " trixie-security main", "local:" + repo.Line("local")}, "\n")
	srcs, err := archive.ParseSourcesConf(conf)
	require.NoError(t, err)
	key, err := archive.ReadKeyring(keyring)
	require.NoError(t, err)
	// A cache of its own (the base is this test's), with the shared
	// package cache's files linked in so that only new packages download.
	cache := t.TempDir()
	o := bootstrap.Options{Release: "trixie", Arch: "amd64", Mirror: mirror, CacheDir: cache,
		Packages: []string{"dibtest-hello"}, Sources: srcs, Keyring: key}
	require.NoError(t, debcache.Seed(o.DebCache(), filepath.Join(testenv.CacheDir(), "debs", "trixie-amd64")))

	ensure := func() (string, string) {
		t.Helper()
		var log bytes.Buffer
		p, err := bootstrap.Ensure(ctx, o, nil, &log)
		require.NoError(t, err, log.String())
		return p, log.String()
	}
	first, log := ensure()
	assert.Contains(t, log, "making the trixie/amd64 base")
	files := baseTarFiles(t, first, "./usr/share/doc/dibtest-hello/version", "./etc/apt/sources.list.d/local.list",
		"./etc/apt/sources.list.d/debian-security.list", "./etc/apt/trusted.gpg.d/dib-apt-keyring.asc")
	assert.Equal(t, "1.0\n", files["./usr/share/doc/dibtest-hello/version"])
	assert.Equal(t, repo.Line("local")+"\n", files["./etc/apt/sources.list.d/local.list"], "DIB_APT_SOURCES_CONF, as the original writes it")
	assert.Equal(t, "deb "+sec+" trixie-security main\n", files["./etc/apt/sources.list.d/debian-security.list"])
	assert.Equal(t, string(key), files["./etc/apt/trusted.gpg.d/dib-apt-keyring.asc"], "the image's apt trusts the keyring too")
	why, err := bootstrap.Stale(ctx, o)
	require.NoError(t, err)
	assert.Empty(t, why)

	repo.AddPackage(t, "dibtest-hello", "2.0")
	repo.Publish(t, "local", "amd64")
	why, err = bootstrap.Stale(ctx, o)
	require.NoError(t, err)
	assert.Contains(t, why, "the archive changed since the cached base", "a recipe rebuilds")
	second, log := ensure()
	assert.NotContains(t, log, "making the", "no new bootstrap")
	assert.Contains(t, log, "archive changed: upgrading 1 packages")
	assert.Contains(t, log, "dibtest-hello 1.0 → 2.0")
	assert.NotEqual(t, first, second, "a new generation of the base")
	assert.FileExists(t, first, "the previous generation stays for builds still unpacking it")
	assert.Equal(t, "2.0\n", baseTarFiles(t, second, "./usr/share/doc/dibtest-hello/version")["./usr/share/doc/dibtest-hello/version"])

	third, log := ensure()
	assert.Equal(t, second, third)
	assert.Contains(t, log, "archive unchanged since the cached base (")
	assert.NotContains(t, log, "upgrading")

	offline := o
	offline.Offline = true
	var olog bytes.Buffer
	p, err := bootstrap.Ensure(ctx, offline, nil, &olog)
	require.NoError(t, err)
	assert.Equal(t, second, p)
	assert.Contains(t, olog.String(), "offline: the archive was not asked; the cached base's archive state is ")

	gone := o
	gone.Sources = append(append([]archive.Source{}, srcs[:3]...), archive.Source{Name: "local", URI: "http://127.0.0.1:1", Suite: "local", Components: []string{"main"}})
	_, err = bootstrap.Ensure(ctx, gone, nil, &olog)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cannot reach the archive")
	assert.Contains(t, err.Error(), "127.0.0.1:1")
	assert.NotContains(t, err.Error(), "\n")

	// An image of the same base whose hook holds the package at 1.0.
	flv := filepath.Join(t.TempDir(), "flavours", "hold-hello")
	hook := filepath.Join(flv, "install.d", "50-hold")
	require.NoError(t, os.MkdirAll(filepath.Dir(hook), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(flv, "bootstrap-packages"), []byte("dibtest-hello\n"), 0o644))
	require.NoError(t, os.WriteFile(hook, []byte("#!/bin/sh\nset -e\napt-get install -y -q --allow-downgrades dibtest-hello=1.0\napt-mark hold dibtest-hello\n"), 0o755))
	var ilog bytes.Buffer
	spec := images.Spec{Name: filepath.Join(t.TempDir(), "held"), Flavours: []string{"hold-hello"}, Types: []string{"tar"},
		FlavoursPath: []string{filepath.Dir(flv)}, CacheDir: cache, Log: &ilog, Mirror: mirror,
		Apt: rootfs.Apt{SourcesConf: conf, Keyring: keyring}}
	_, err = images.Build(ctx, spec)
	require.NoError(t, err, ilog.String())
	assert.Contains(t, ilog.String(), "archive unchanged since the cached base", "the image starts from the upgraded base")
	assert.Equal(t, 1, strings.Count(ilog.String(), "behind the archive"), ilog.String())
	assert.Contains(t, ilog.String(), "dibtest-hello 1.0 (archive: 2.0)")
}

// baseTarFiles returns the contents of the named regular files of the
// zstd tarball at path.
func baseTarFiles(t *testing.T, path string, names ...string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, n := range names {
		out, err := exec.Command("tar", "--zstd", "-xOf", path, n).Output()
		require.NoError(t, err, "%s in %s", n, path)
		got[n] = string(out)
	}
	return got
}
