package initramfs_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
)

func TestAddTreeCopiesADirectoryThroughTheRootsOwnLinks(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	mods := filepath.Join(root, "usr/lib/modules/6.1.0")
	require.NoError(t, os.MkdirAll(filepath.Join(mods, "kernel"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(mods, "modules.dep"), []byte("dep\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(mods, "kernel/a.ko"), []byte("ko"), 0o600))
	require.NoError(t, os.Symlink("a.ko", filepath.Join(mods, "kernel/b.ko")))
	require.NoError(t, os.Symlink("/usr/lib", filepath.Join(root, "lib")), "absolute: must resolve in the root")

	a := initramfs.New()
	require.NoError(t, a.AddTree(root, "/lib/modules/6.1.0"))
	ar := read(t, write(t, a, initramfs.Options{}))
	assert.NoError(t, ar.Validate(
		archivetest.HasSymlink{Path: "/lib", Target: "/usr/lib"},
		archivetest.HasContent{Path: "/usr/lib/modules/6.1.0/modules.dep", Content: "dep\n"},
		archivetest.HasContent{Path: "/usr/lib/modules/6.1.0/kernel/a.ko", Content: "ko"},
		archivetest.HasMode{Path: "/usr/lib/modules/6.1.0/kernel/a.ko", Mode: 0o600},
		archivetest.HasSymlink{Path: "/usr/lib/modules/6.1.0/kernel/b.ko", Target: "a.ko"},
		archivetest.ParentsFirst{},
	))
}

func TestAddTreeOfAMissingPathNamesIt(t *testing.T) {
	t.Parallel()
	err := initramfs.New().AddTree(t.TempDir(), "/usr/bin/nothing")
	assert.ErrorContains(t, err, "/usr/bin")
}
