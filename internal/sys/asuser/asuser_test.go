package asuser

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

var nobody = &User{Name: "nobody", UID: 65534, GID: 65534}

// base is a directory of root's (0755) that nobody can reach.
func base(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	d := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(d), 0o755))
	require.NoError(t, os.Chmod(d, 0o755))
	return d
}

func owner(t *testing.T, p string) uint32 {
	t.Helper()
	fi, err := os.Lstat(p)
	require.NoError(t, err)
	return fi.Sys().(*syscall.Stat_t).Uid
}

func TestWorkDoneAsTheUserHasTheUsersRightsAndItsFilesAreTheUsers(t *testing.T) {
	d := base(t)
	secret := filepath.Join(d, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("root only"), 0o600))
	open := filepath.Join(d, "open")
	require.NoError(t, os.Mkdir(open, 0))
	require.NoError(t, os.Chmod(open, 0o777))

	err := nobody.Do(func() error { _, err := os.ReadFile(secret); return err })
	assert.ErrorIs(t, err, os.ErrPermission, "root's file is closed to the user")
	err = nobody.Do(func() error { return os.WriteFile(filepath.Join(d, "new"), nil, 0o644) })
	assert.ErrorIs(t, err, os.ErrPermission, "root's directory is closed to the user")
	require.NoError(t, nobody.Do(func() error { return os.WriteFile(filepath.Join(open, "mine"), nil, 0o644) }))
	assert.Equal(t, uint32(65534), owner(t, filepath.Join(open, "mine")))

	// The process itself is still root, on every thread.
	for i := 0; i < 20; i++ {
		_, err := os.ReadFile(secret)
		require.NoError(t, err)
	}
	require.NoError(t, os.WriteFile(filepath.Join(open, "roots"), nil, 0o644))
	assert.Equal(t, uint32(0), owner(t, filepath.Join(open, "roots")))
}

func TestAWorkDirMustBeOneTheUserCannotChange(t *testing.T) {
	d := base(t)
	mk := func(name string, mode os.FileMode, uid int) string {
		p := filepath.Join(d, name)
		require.NoError(t, os.Mkdir(p, 0))
		require.NoError(t, os.Chmod(p, mode))
		require.NoError(t, os.Chown(p, uid, uid))
		return p
	}
	sticky := mk("sticky", 0o777|os.ModeSticky, 0)
	open := mk("open", 0o777, 0)
	mine := mk("mine", 0o755, 65534)
	roots := mk("roots", 0o755, 0)
	closed := mk("closed", 0o700, 0)
	require.NoError(t, os.Symlink(closed, filepath.Join(d, "to-closed")))
	require.NoError(t, os.Symlink(sticky, filepath.Join(d, "to-sticky")))

	for _, c := range []struct {
		dir    string
		shared bool
		ok     bool
		why    string
	}{
		{sticky, true, true, "a sticky directory of root's, as /tmp"},
		{filepath.Join(d, "to-sticky"), true, true, "through a link the user may follow"},
		{open, true, false, "the user could rename root's build directory"},
		{mine, true, false, "the user's own"},
		{roots, true, false, "the user cannot write there"},
		{filepath.Join(d, "to-closed"), true, false, "a link into a directory the user cannot enter"},
		{filepath.Join(sticky, "missing"), true, false, "a tmp dir must exist"},
		{roots, false, true, "a cache of root's"},
		{filepath.Join(roots, "new", "cache"), false, true, "made by root in a directory of root's"},
		{sticky, false, false, "a cache the user could write into"},
		{filepath.Join(sticky, "new"), false, false, "made where the user could make it first"},
		{filepath.Join(mine, "cache"), false, false, "inside the user's own"},
	} {
		real, err := nobody.WorkDir(c.dir, c.shared)
		if c.ok {
			assert.NoError(t, err, c.why)
			assert.True(t, filepath.IsAbs(real), c.why)
		} else {
			assert.Error(t, err, c.why)
		}
	}
	_, err := nobody.WorkDir(mine, true)
	assert.True(t, errors.Is(err, ErrAlterable), "%v", err)
}

func TestSudoNamesTheUserARootBuildWorksFor(t *testing.T) {
	u, err := FromSudo([]string{"SUDO_USER=nobody", "SUDO_UID=65534", "SUDO_GID=65534"}, 0)
	require.NoError(t, err)
	require.NotNil(t, u)
	assert.Equal(t, 65534, u.UID)
	assert.Equal(t, "nobody", u.String())
	for _, env := range [][]string{nil, {"SUDO_UID=0", "SUDO_GID=0"}} {
		u, err := FromSudo(env, 0)
		assert.NoError(t, err)
		assert.Nil(t, u, "not run through sudo, or by root")
	}
	u, err = FromSudo([]string{"SUDO_UID=65534", "SUDO_GID=65534"}, 1000)
	assert.NoError(t, err)
	assert.Nil(t, u, "not root")
	_, err = FromSudo([]string{"SUDO_UID=x", "SUDO_GID=1"}, 0)
	assert.Error(t, err)
}
