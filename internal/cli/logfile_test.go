package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs"
)

func TestALogFileIsNeverOpenedThroughALinkAndForACallerWithTheCallersRights(t *testing.T) {
	testenv.RequireRoot(t)
	nobody := &rootfs.Owner{Name: "nobody", UID: 65534, GID: 65534}
	d := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(d), 0o755))
	require.NoError(t, os.Chmod(d, 0o777))
	secret := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(secret, []byte("root only\n"), 0o600))
	link := filepath.Join(d, "build.log")
	require.NoError(t, os.Symlink(secret, link))
	closed := t.TempDir() // root's, 0700

	var stderr bytes.Buffer
	for _, owner := range []*rootfs.Owner{nil, nobody} {
		_, _, err := buildLog(&stderr, link, owner)
		assert.ErrorContains(t, err, "log file "+link+" is a symbolic link: refused")
	}
	_, _, err := buildLog(&stderr, filepath.Join(closed, "build.log"), nobody)
	assert.ErrorContains(t, err, "permission denied (as nobody)")
	assert.NoFileExists(t, filepath.Join(closed, "build.log"))
	data, _ := os.ReadFile(secret)
	assert.Equal(t, "root only\n", string(data))

	mine := filepath.Join(d, "mine.log")
	w, closeLog, err := buildLog(&stderr, mine, nobody)
	require.NoError(t, err)
	w.Write([]byte("line\n"))
	closeLog()
	fi, err := os.Stat(mine)
	require.NoError(t, err)
	assert.Equal(t, uint32(65534), fi.Sys().(*syscall.Stat_t).Uid, "the caller's")
}
