package ramdisk

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// TestThroughSudoAFlavoursInitLinkedToARootOnlyFileIsNotReadIntoTheRamdisk:
// the ramdisk stage reads the flavours' init fragments (and udev rules)
// with the caller's rights, so a link to a file only root may read fails
// instead of putting that file into the caller's initramfs.
func TestThroughSudoAFlavoursInitLinkedToARootOnlyFileIsNotReadIntoTheRamdisk(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	require.NoError(t, os.Chmod(filepath.Dir(dir), 0o755))
	require.NoError(t, os.Chmod(dir, 0o755))
	secret := filepath.Join(t.TempDir(), "shadow")
	require.NoError(t, os.WriteFile(secret, []byte("SECRET\n"), 0o600))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "linked"), 0o755))
	require.NoError(t, os.Symlink(secret, filepath.Join(dir, "linked", InitFile)))
	set, err := flavours.ResolveWith([]string{"linked"}, flavours.Options{FlavoursPath: []string{dir}})
	require.NoError(t, err)
	nobody := &rootfs.Owner{Name: "nobody", UID: 65534, GID: 65534}
	as := &assembler{set: set, a: initramfs.New()}
	err = nobody.Do(as.init)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SECRET")
	assert.NoError(t, as.init(), "root reads it: the caller's rights are what refuse it")
}
