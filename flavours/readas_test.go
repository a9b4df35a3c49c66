package flavours

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/asuser"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// TestAFlavourTheCallerCannotReadIsNeitherCheckedNorCopiedForIt: root
// building for a user (through sudo) reads the flavours with the user's
// rights: a flavour in the user's path that links to a directory only root
// may read fails the check, and the copy, while root alone reads it.
func TestAFlavourTheCallerCannotReadIsNeitherCheckedNorCopiedForIt(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &asuser.User{Name: "nobody", UID: 65534, GID: 65534}
	private := tree(t, map[string]string{"secret/install.d/50-secret*": "#!/bin/sh\n# root's\n"})
	require.NoError(t, os.Chmod(private, 0o700)) // root's alone
	path := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(path), 0o755))
	require.NoError(t, os.Chmod(path, 0o755))
	require.NoError(t, os.Symlink(filepath.Join(private, "secret"), filepath.Join(path, "secret")))
	s, err := Resolve([]string{"secret"}, []string{path})
	require.NoError(t, err, "root finds it")

	err = s.CheckReadable(nobody.Do)
	assert.ErrorContains(t, err, "flavour secret: open "+filepath.Join(path, "secret/install.d/50-secret")+": permission denied")
	out := t.TempDir()
	assert.ErrorContains(t, s.WriteTree(out, nobody.Do), "permission denied")
	assert.NoFileExists(t, filepath.Join(out, "install.d/50-secret"), "nothing of it copied")

	require.NoError(t, s.CheckReadable(nil), "root may read it")
	require.NoError(t, s.WriteTree(out, nil))
	assert.FileExists(t, filepath.Join(out, "install.d/50-secret"))
}

// TestAFlavourTheCallerCanReadIsCopiedWithTheCallersRights: what the user
// may read is checked and copied as it is for root.
func TestAFlavourTheCallerCanReadIsCopiedWithTheCallersRights(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &asuser.User{Name: "nobody", UID: 65534, GID: 65534}
	dir := tree(t, map[string]string{"open/install.d/50-open*": "#!/bin/sh\n", "open/static/etc/motd": "hello\n"})
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	require.NoError(t, os.Symlink("50-open", filepath.Join(dir, "open/install.d/60-link")))
	s, err := Resolve([]string{"open"}, []string{dir})
	require.NoError(t, err)
	require.NoError(t, s.CheckReadable(nobody.Do))
	out := t.TempDir()
	require.NoError(t, s.WriteTree(out, nobody.Do))
	data, err := os.ReadFile(filepath.Join(out, "static/etc/motd"))
	require.NoError(t, err)
	assert.Equal(t, "hello\n", string(data))
	fi, err := os.Stat(filepath.Join(out, "install.d/50-open"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())
	target, err := os.Readlink(filepath.Join(out, "install.d/60-link"))
	require.NoError(t, err)
	assert.Equal(t, "50-open", target)
}
