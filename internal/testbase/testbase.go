// Package testbase gives tests a Debian root tree: the cached base that
// image builds use (made once, shared by every test and by the README's
// build through testenv.CacheDir), unpacked into the test's own directory.
package testbase

import (
	"context"
	"io"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// Options are the base options the tests use: the defaults of the commands.
func Options() bootstrap.Options {
	return bootstrap.Options{
		Release:  bootstrap.DefaultRelease,
		Arch:     "amd64",
		Mirror:   bootstrap.HostMirror(),
		CacheDir: testenv.CacheDir(),
	}
}

var (
	once    sync.Once
	tarball string
	failure error
)

// Tarball returns the cached base tarball, making it on first use.
func Tarball(t testing.TB) string {
	t.Helper()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd")
	once.Do(func() {
		tarball, failure = bootstrap.Ensure(context.Background(), Options(), nil, io.Discard)
	})
	if failure != nil {
		t.Fatalf("base root: %v", failure)
	}
	return tarball
}

// Tree unpacks the base into a fresh directory of t and returns it; the
// test may change it freely.
func Tree(t testing.TB) string {
	t.Helper()
	tb := Tarball(t)
	dir := filepath.Join(t.TempDir(), "tree")
	if err := bootstrap.Unpack(context.Background(), tb, dir); err != nil {
		t.Fatalf("unpack base: %v", err)
	}
	return dir
}
