package bootstrap

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const inRelease = `-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Origin: Debian
Suite: stable
Codename: trixie
Date: Sat, 21 Nov 2026 09:15:44 UTC
Architectures: all amd64
`

func TestTheReleaseDateIsReadFromARelaseFile(t *testing.T) {
	t.Parallel()
	got, err := ReleaseDate([]byte(inRelease))
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 11, 21, 9, 15, 44, 0, time.UTC), got)
	got, err = ReleaseDate([]byte("Date: Sat, 21 Nov 2026 09:15:44 +0000\n"))
	require.NoError(t, err)
	assert.Equal(t, int64(1795252544), got.Unix())
	_, err = ReleaseDate([]byte("Origin: Debian\n"))
	assert.ErrorContains(t, err, "no Date field")
	_, err = ReleaseDate([]byte("Date: last tuesday\n"))
	assert.ErrorContains(t, err, `unreadable Date "last tuesday"`)
}

func TestTheReleaseEpochComesFromTheMirrorsInReleaseOrRelease(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/debian/dists/trixie/InRelease":
			w.Write([]byte(inRelease))
		case "/old/dists/bookworm/Release":
			w.Write([]byte("Date: Sat, 10 May 2025 10:00:00 UTC\n"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	got, err := ReleaseEpoch(ctx, srv.URL+"/debian/", "trixie")
	require.NoError(t, err)
	assert.Equal(t, int64(1795252544), got.Unix())
	got, err = ReleaseEpoch(ctx, srv.URL+"/old", "bookworm")
	require.NoError(t, err)
	assert.Equal(t, 2025, got.Year(), "Release when there is no InRelease")
	_, err = ReleaseEpoch(ctx, srv.URL+"/debian", "sid")
	assert.ErrorContains(t, err, "404")

	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "dists/trixie"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "dists/trixie/InRelease"), []byte(inRelease), 0o644))
	got, err = ReleaseEpoch(ctx, "file://"+dir, "trixie")
	require.NoError(t, err)
	assert.Equal(t, int64(1795252544), got.Unix(), "a file: mirror")
}
