package inroot

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostAndRoot makes a host directory with a file and a root whose entries
// are absolute links to them, and to a host path that does not exist yet.
func hostAndRoot(t *testing.T) (host, root string) {
	t.Helper()
	host, root = t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(host, "file"), []byte("host"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(host, "ssh_host_key"), []byte("host key"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	for name, target := range map[string]string{
		"etc/machine-id": filepath.Join(host, "file"),
		"etc/ssh":        host,
		"proc":           filepath.Join(host, "new-dir"),
		"etc/unit":       filepath.Join(host, "new-file"),
	} {
		require.NoError(t, os.Symlink(target, filepath.Join(root, name)))
	}
	return host, root
}

// hostUnchanged checks that host still holds exactly what hostAndRoot put.
func hostUnchanged(t *testing.T, host string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(host, "file"))
	require.NoError(t, err)
	assert.Equal(t, "host", string(data))
	names, err := os.ReadDir(host)
	require.NoError(t, err)
	var got []string
	for _, n := range names {
		got = append(got, n.Name())
	}
	assert.Equal(t, []string{"file", "ssh_host_key"}, got, "nothing made or removed on the host")
}

func TestWritesThroughAbsoluteLinksStayInTheRoot(t *testing.T) {
	t.Parallel()
	host, root := hostAndRoot(t)
	require.NoError(t, WriteFile(root, "/etc/machine-id", nil, 0o444))
	fi, err := os.Lstat(filepath.Join(root, "etc/machine-id"))
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular(), "the link is replaced by an empty file")
	assert.Equal(t, os.FileMode(0o444), fi.Mode().Perm())

	require.NoError(t, WriteFile(root, "/etc/ssh/sshd_config", []byte("x"), 0o644))
	assert.FileExists(t, filepath.Join(root, host, "sshd_config"), "the link to a host directory is followed inside the root")

	mp, err := MkdirAll(root, "/proc", 0o755)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, host, "new-dir"), mp)

	f, err := Create(root, "/etc/unit", 0, 0o644)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	hostUnchanged(t, host)
}

func TestRemovalsAndRenamesNeverFollowTheLastLinkOutOfTheRoot(t *testing.T) {
	t.Parallel()
	host, root := hostAndRoot(t)
	n, err := RemoveMatching(root, "/etc/ssh", "ssh_host_*")
	require.NoError(t, err)
	assert.Zero(t, n, "the host's keys are not the image's")

	require.NoError(t, Rename(root, "/etc/machine-id", "/etc/machine-id.ORIG"))
	target, err := os.Readlink(filepath.Join(root, "etc/machine-id.ORIG"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(host, "file"), target, "the link itself moved")

	ok, err := Lexists(root, "/etc/unit")
	require.NoError(t, err)
	assert.True(t, ok, "a dangling link exists")
	require.NoError(t, Remove(root, "/etc/unit"))
	require.NoError(t, Remove(root, "/etc/machine-id.ORIG"))
	require.NoError(t, Remove(root, "/etc/nothing"), "a missing entry is no error")
	ok, err = Lexists(root, "/etc/unit")
	require.NoError(t, err)
	assert.False(t, ok)

	require.NoError(t, Symlink(root, "/etc/target", "/etc/ssh"))
	target, err = os.Readlink(filepath.Join(root, "etc/ssh"))
	require.NoError(t, err)
	assert.Equal(t, "/etc/target", target, "the old link is replaced")
	hostUnchanged(t, host)
}

func TestOpenPathResolvesInsideTheRoot(t *testing.T) {
	t.Parallel()
	host, root := hostAndRoot(t)
	_, err := OpenPath(root, "/etc/ssh/file")
	assert.ErrorIs(t, err, os.ErrNotExist, "the host's file is not in the root")
	require.NoError(t, os.MkdirAll(filepath.Join(root, host), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, host, "file"), nil, 0o644))
	f, err := OpenPath(root, "/etc/ssh/file")
	require.NoError(t, err)
	defer f.Close()
	real, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, host, "file"), real)
}
