package inroot_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// fakeRoot makes a merged-/usr root with absolute and relative links.
func fakeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "usr/lib/x86_64-linux-gnu"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "usr/lib/x86_64-linux-gnu/libz.so.1.2"), []byte("z"), 0o644))
	require.NoError(t, os.Symlink("usr/lib", filepath.Join(root, "lib")))
	require.NoError(t, os.Symlink("/usr/lib/x86_64-linux-gnu/libz.so.1.2", filepath.Join(root, "usr/lib/x86_64-linux-gnu/libz.so.1")))
	return root
}

func TestResolveFollowsEveryLinkInsideTheRootAndReportsThem(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t)
	real, links, err := inroot.Resolve(root, "/lib/x86_64-linux-gnu/libz.so.1")
	require.NoError(t, err)
	assert.Equal(t, "/usr/lib/x86_64-linux-gnu/libz.so.1.2", real)
	assert.Equal(t, []inroot.File{
		{Path: "/lib", Link: "usr/lib"},
		{Path: "/usr/lib/x86_64-linux-gnu/libz.so.1", Link: "/usr/lib/x86_64-linux-gnu/libz.so.1.2"},
	}, links)
}

func TestResolveNeverEscapesToTheHostThroughAbsoluteLinksOrDotDot(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t)
	// /etc/passwd exists on the host but not in the root.
	require.NoError(t, os.Symlink("/etc/passwd", filepath.Join(root, "passwd")))
	require.NoError(t, os.Symlink("../../../../../../etc/passwd", filepath.Join(root, "usr/up")))
	for _, p := range []string{"/passwd", "/usr/up", "/../../etc/passwd"} {
		_, _, err := inroot.Resolve(root, p)
		assert.ErrorIs(t, err, fs.ErrNotExist, p)
	}
	real, _, err := inroot.Resolve(root, "/../../usr/lib/../../lib")
	require.NoError(t, err)
	assert.Equal(t, "/usr/lib", real)
}

func TestResolveStopsOnALinkLoop(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.Symlink("/b", filepath.Join(root, "a")))
	require.NoError(t, os.Symlink("/a", filepath.Join(root, "b")))
	_, _, err := inroot.Resolve(root, "/a")
	assert.ErrorContains(t, err, "too many levels of symbolic links")
}

func TestExistsSaysNoForAMissingPathAndAFileUsedAsADirectory(t *testing.T) {
	t.Parallel()
	root := fakeRoot(t)
	ok, err := inroot.Exists(root, "/lib/x86_64-linux-gnu/libz.so.1")
	require.NoError(t, err)
	assert.True(t, ok)
	for _, p := range []string{"/nope", "/lib/x86_64-linux-gnu/libz.so.1/x"} {
		ok, err := inroot.Exists(root, p)
		require.NoError(t, err)
		assert.False(t, ok, p)
	}
}
