package archive_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/archive/archivetest"
)

func TestAStableReleaseGetsItsUpdatesAndSecuritySuitesAndTestingItsReleaseAlone(t *testing.T) {
	t.Parallel()
	srcs, err := archive.Config{Release: "trixie", Mirror: "http://mirror.example/debian"}.Sources()
	require.NoError(t, err)
	var lines []string
	for _, s := range srcs {
		lines = append(lines, s.Line())
	}
	assert.Equal(t, []string{
		"deb http://mirror.example/debian trixie main",
		"deb http://mirror.example/debian trixie-updates main",
		"deb http://mirror.example/debian-security trixie-security main",
	}, lines, "the security archive is its own tree beside debian")
	for _, r := range []string{"testing", "unstable", "sid"} {
		srcs, err := archive.Config{Release: r, Mirror: "http://m/debian", Components: []string{"main", "contrib"}}.Sources()
		require.NoError(t, err)
		require.Len(t, srcs, 1, r)
		assert.Equal(t, "deb http://m/debian "+r+" main contrib", srcs[0].Line())
	}
}

func TestTheOriginalsSecurityVariablesChooseTheSecuritySuite(t *testing.T) {
	t.Parallel()
	srcs, err := archive.Config{Release: "bookworm", Mirror: "http://m/debian", SecurityMirror: "http://sec.example/",
		SecuritySubpath: "/updates"}.Sources()
	require.NoError(t, err)
	assert.Equal(t, "deb http://sec.example/ bookworm-security/updates main", srcs[2].Line())
	_, err = archive.Config{Release: "trixie", Mirror: "http://m/"}.Sources()
	assert.ErrorContains(t, err, "DIB_DEBIAN_SECURITY_MIRROR", "a mirror without a path says nothing of where security is")
}

func TestAptSourcesConfReplacesTheDefaultsWithOneListFileEach(t *testing.T) {
	t.Parallel()
	conf := "default:deb http://10.0.0.10/ stretch main contrib\n   mysecurity:deb [arch=amd64] http://10.0.0.10/ stretch-security main contrib\n"
	srcs, err := archive.Config{Release: "trixie", Mirror: "http://m/debian", SourcesConf: conf}.Sources()
	require.NoError(t, err)
	require.Len(t, srcs, 2)
	files := archive.ImageFiles(srcs, archive.DebianKeyring)
	assert.Equal(t, map[string]string{
		"/etc/apt/sources.list.d/default.list":    "deb http://10.0.0.10/ stretch main contrib\n",
		"/etc/apt/sources.list.d/mysecurity.list": "deb [arch=amd64] http://10.0.0.10/ stretch-security main contrib\n",
	}, files)
	for _, bad := range []string{"nocolon deb http://x/ a main", "../x:deb http://x/ a main", "a:deb-src http://x/ a main",
		"a:deb http://x/ a", "a:deb ftp://x/ a main", "a:deb http://x/ a main\na:deb http://y/ b main", "a:deb [x=\"$(id)\"] http://x/ a main"} {
		_, err := archive.ParseSourcesConf(bad)
		assert.Error(t, err, bad)
	}
}

func TestTheImageGetsDeb822SourcesOneStanzaPerArchive(t *testing.T) {
	t.Parallel()
	srcs, err := archive.Config{Release: "trixie", Mirror: "http://deb.debian.org/debian"}.Sources()
	require.NoError(t, err)
	files := archive.ImageFiles(srcs, archive.DebianKeyring)
	assert.Equal(t, `Types: deb
URIs: http://deb.debian.org/debian
Suites: trixie trixie-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: trixie-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`, files["/etc/apt/sources.list.d/debian.sources"])
}

func TestAFetchedStateIsVerifiedAndComparesByItsIndicesNotItsSignature(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, archivetest.Commands...)
	signer := archivetest.NewSigner(t)
	repo := archivetest.NewRepo(t, signer)
	repo.AddPackage(t, "dibtest-hello", "1.0")
	repo.Publish(t, "local", "amd64")
	srcs, err := archive.ParseSourcesConf("local:" + repo.Line("local"))
	require.NoError(t, err)
	ctx := context.Background()

	f := archive.Fetcher{Arch: "amd64", TmpDir: t.TempDir()}
	_, err = f.Fetch(ctx, srcs)
	assert.ErrorContains(t, err, "signature does not verify", "a key the fetcher was not given")

	f.Keyrings = [][]byte{signer.Keyring(t, true)}
	first, err := f.Fetch(ctx, srcs)
	require.NoError(t, err)
	require.Len(t, first.Suites, 1)
	s := first.Suites[0]
	assert.Equal(t, "local", s.Suite)
	assert.False(t, s.Date.IsZero())
	assert.Len(t, s.InRelease, 64)
	var paths []string
	for _, ix := range s.Indices {
		paths = append(paths, ix.Path)
	}
	assert.Contains(t, paths, "main/binary-amd64/Packages")
	assert.Contains(t, paths, "main/binary-all/Packages")

	// Signed again, same indices: the same state for a base.
	repo.Publish(t, "local", "amd64")
	again, err := f.Fetch(ctx, srcs)
	require.NoError(t, err)
	assert.True(t, first.SameIndices(again))

	repo.AddPackage(t, "dibtest-hello", "2.0")
	repo.Publish(t, "local", "amd64")
	moved, err := f.Fetch(ctx, srcs)
	require.NoError(t, err)
	assert.False(t, first.SameIndices(moved), "a new package changes the indices")

	p := filepath.Join(t.TempDir(), "state")
	require.NoError(t, os.WriteFile(p, moved.JSON(), 0o644))
	read, err := archive.Read(p)
	require.NoError(t, err)
	assert.True(t, read.SameIndices(moved))
	assert.Equal(t, moved.Lines(), read.Lines())
	assert.True(t, strings.HasPrefix(read.Lines()[0], "archive local date "))
}

func TestAnUnsignedOrUnreachableArchiveIsAnErrorNamingIt(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, archivetest.Commands...)
	repo := archivetest.NewRepo(t, archivetest.NewSigner(t))
	require.NoError(t, os.MkdirAll(filepath.Join(repo.Dir, "dists", "local"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo.Dir, "dists", "local", "InRelease"), []byte("Date: Sat, 21 Nov 2026 09:15:44 UTC\n"), 0o644))
	srcs, err := archive.ParseSourcesConf("local:" + repo.Line("local"))
	require.NoError(t, err)
	_, err = archive.Fetcher{Arch: "amd64", TmpDir: t.TempDir()}.Fetch(context.Background(), srcs)
	assert.ErrorContains(t, err, repo.URL+"/dists/local/InRelease: its signature does not verify")

	srcs[0].URI = "http://127.0.0.1:1"
	_, err = archive.Fetcher{Arch: "amd64", TmpDir: t.TempDir()}.Fetch(context.Background(), srcs)
	assert.ErrorContains(t, err, "cannot reach the archive")
	assert.ErrorContains(t, err, "127.0.0.1:1")
}

func TestKeyringsAreTakenBinaryOrArmouredAndNothingElse(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, archivetest.Commands...)
	s := archivetest.NewSigner(t)
	bin := s.Keyring(t, false)
	got, err := archive.Dearmor(s.Keyring(t, true))
	require.NoError(t, err)
	assert.Equal(t, bin, got)
	got, err = archive.Dearmor(bin)
	require.NoError(t, err)
	assert.Equal(t, bin, got)
	_, err = archive.Dearmor([]byte("root:x:0:0:root:/root:/bin/bash\n"))
	assert.Error(t, err)
}
