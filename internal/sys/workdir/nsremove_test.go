package workdir_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// subordinateTree makes, as root, what an unprivileged build of u leaves:
// a directory of u holding directories and files of its subordinate IDs
// that u may neither enter nor change.
func subordinateTree(t *testing.T, u *testenv.User, sub int) string {
	dir := u.Dir(t)
	tree := filepath.Join(dir, "dib-build-x", "root")
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "var/cache/apt/archives/partial"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "var/cache/apt/archives/partial/x.deb"), []byte("x"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(tree, "tmp"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "tmp/other"), nil, 0o644))
	require.NoError(t, filepath.Walk(filepath.Join(dir, "dib-build-x"), func(p string, fi os.FileInfo, err error) error {
		require.NoError(t, err)
		return os.Lchown(p, u.UID, u.GID)
	}))
	// apt's _apt (42) owns partial, mode 0700; /tmp is sticky.
	require.NoError(t, os.Chown(filepath.Join(tree, "var/cache/apt/archives/partial"), sub+41, sub+41))
	require.NoError(t, os.Chown(filepath.Join(tree, "var/cache/apt/archives/partial/x.deb"), sub+41, sub+41))
	require.NoError(t, os.Chmod(filepath.Join(tree, "var/cache/apt/archives/partial"), 0o700))
	require.NoError(t, os.Chown(filepath.Join(tree, "tmp/other"), sub+999, sub+999))
	require.NoError(t, os.Chmod(filepath.Join(tree, "tmp"), 0o1777))
	return filepath.Join(dir, "dib-build-x")
}

func TestAUserRemovesWhatItsUnprivilegedBuildLeftAsRootOfItsNamespace(t *testing.T) {
	testenv.Short(t)
	u := testenv.UnprivilegedUser(t)
	build := subordinateTree(t, u, u.SubID)
	out, err := testenv.RunTestAs(t, u, "TestUsersHalfOfTheRemoval", "DIB_TEST_REMOVE="+build)
	require.NoError(t, err, out)
	assert.Contains(t, out, "--- PASS: TestUsersHalfOfTheRemoval")
	assert.NoDirExists(t, build, "everything is gone, the subordinate IDs' files too")
}

// The user's half: os.RemoveAll fails, Remove removes it all.
func TestUsersHalfOfTheRemoval(t *testing.T) {
	if !testenv.AsUser() {
		t.Skip("run by TestAUserRemovesWhatItsUnprivilegedBuildLeftAsRootOfItsNamespace")
	}
	build := os.Getenv("DIB_TEST_REMOVE")
	require.ErrorIs(t, os.RemoveAll(build), os.ErrPermission, "the user alone cannot")
	require.NoError(t, workdir.Remove(build))
}
