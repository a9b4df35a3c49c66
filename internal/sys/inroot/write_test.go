package inroot

import (
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResolveFollowsAbsoluteAndRelativeLinksInsideTheRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "usr/lib/x"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "usr/lib/x/ld.so"), nil, 0o755))
	require.NoError(t, os.Symlink("usr/lib", filepath.Join(root, "lib")))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "lib64dir"), 0o755))
	require.NoError(t, os.Symlink("/lib/x/ld.so", filepath.Join(root, "lib64dir/ld.so")))
	require.NoError(t, os.Symlink("../../../../../usr/lib/x/ld.so", filepath.Join(root, "up")))

	for _, p := range []string{"/lib/x/ld.so", "/lib64dir/ld.so", "lib64dir/../lib/x/ld.so", "/up"} {
		got, err := HostPath(root, p)
		require.NoError(t, err, p)
		assert.Equal(t, filepath.Join(root, "usr/lib/x/ld.so"), got, p)
	}
}

func TestResolveOfAMissingFileMatchesErrNotExist(t *testing.T) {
	t.Parallel()
	_, err := HostPath(t.TempDir(), "/nope/x")
	assert.ErrorIs(t, err, fs.ErrNotExist)
}

func TestHostPathStopsALinkLoop(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.Symlink("/b", filepath.Join(root, "a")))
	require.NoError(t, os.Symlink("/a", filepath.Join(root, "b")))
	_, err := HostPath(root, "/a")
	assert.ErrorIs(t, err, syscall.ELOOP)
}

func TestWriteFileMakesParentsThroughLinksAndReplacesALinkAtThePath(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	host := filepath.Join(t.TempDir(), "host-file")
	require.NoError(t, os.WriteFile(host, []byte("host"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(root, "real"), 0o755))
	require.NoError(t, os.Symlink("/real", filepath.Join(root, "boot")))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	require.NoError(t, os.Symlink(host, filepath.Join(root, "etc/fstab")))

	require.NoError(t, WriteFile(root, "/boot/grub/grub.cfg", []byte("cfg"), 0o644))
	assert.FileExists(t, filepath.Join(root, "real/grub/grub.cfg"))

	require.NoError(t, WriteFile(root, "/etc/fstab", []byte("fstab"), 0o600))
	b, err := os.ReadFile(host)
	require.NoError(t, err)
	assert.Equal(t, "host", string(b), "the host file is untouched")
	fi, err := os.Lstat(filepath.Join(root, "etc/fstab"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode())
}

func TestReadFileReadsInsideTheRootAndNeverFollowsALinkAtThePath(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, WriteFile(root, "/etc/machine-id", []byte("uninitialized\n"), 0o444))
	b, err := ReadFile(root, "/etc/machine-id", 64)
	require.NoError(t, err)
	assert.Equal(t, "uninitialized\n", string(b))
	_, err = ReadFile(root, "/etc/machine-id", 4)
	assert.ErrorContains(t, err, "larger than 4 bytes")

	host := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(host, []byte("host"), 0o600))
	require.NoError(t, os.Symlink(host, filepath.Join(root, "etc", "link")))
	_, err = ReadFile(root, "/etc/link", 64)
	assert.Error(t, err)
}
