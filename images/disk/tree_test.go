package disk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTree makes a small tree with GRUB module directories and a kernel.
func fakeTree(t *testing.T) string {
	t.Helper()
	tree := t.TempDir()
	writeFiles(t, tree, map[string]string{
		"usr/lib/grub/i386-pc/normal.mod":       "mod",
		"usr/lib/grub/i386-pc/command.lst":      "normal: normal",
		"usr/lib/grub/i386-pc/boot.img":         strings.Repeat("b", 512),
		"usr/lib/grub/x86_64-efi/normal.mod":    "mod",
		"usr/lib/grub/x86_64-efi/normal.module": "debug info, not copied",
		"boot/vmlinuz-6.12.48+deb13-amd64":      "k",
		"etc/os-release":                        "NAME=x\nPRETTY_NAME=\"Test OS 1\"\n",
	})
	return tree
}

func TestMeasureCountsBlocksAndInodesAndHardLinksOnce(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a": strings.Repeat("x", 5000), "d/b": "y"})
	require.NoError(t, os.Link(filepath.Join(dir, "a"), filepath.Join(dir, "d/a-link")))
	require.NoError(t, os.Symlink("b", filepath.Join(dir, "d/short")))
	require.NoError(t, os.Symlink(strings.Repeat("long/", 20), filepath.Join(dir, "d/long")))
	u, err := Measure(dir)
	require.NoError(t, err)
	// dir, d, a (2 blocks), b (1 block), two symlinks (the long one a block)
	assert.Equal(t, Usage{Bytes: 2*4096 + 2*4096 + 4096 + 4096, Inodes: 6}, u)
}

func TestPlanCountsTheGrubModulesBuildCopiesAndRejectsATooSmallSize(t *testing.T) {
	t.Parallel()
	tree := fakeTree(t)
	min, err := MinSize(tree, Spec{})
	require.NoError(t, err)
	l, err := Plan(tree, Spec{Size: min})
	require.NoError(t, err)
	assert.Equal(t, min, l.Size)

	_, err = Plan(tree, Spec{Size: min - MiB})
	assert.ErrorIs(t, err, ErrTooSmall)

	auto, err := Plan(tree, Spec{})
	require.NoError(t, err)
	assert.Greater(t, auto.Size, min)
}

func TestPlanOfATreeWithoutGrubModulesNamesThePackages(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	_, err := Plan(tree, Spec{})
	assert.ErrorContains(t, err, "grub-pc-bin")
}

func TestPlanRejectsABadSpecBeforeLookingAtTheTree(t *testing.T) {
	t.Parallel()
	_, err := Plan("/nonexistent", Spec{ESPSizeMiB: 1})
	assert.ErrorContains(t, err, "ESP size")
}

func TestPrepareTreeWritesBootFilesAndCopiesModulesOnly(t *testing.T) {
	t.Parallel()
	tree := fakeTree(t)
	k, err := FindKernel(tree)
	require.NoError(t, err)
	c := BootConfig{Title: osTitle(tree), RootUUID: "root-uuid", Kernel: k, Timeout: 1}
	require.NoError(t, prepareTree(tree, c, "ABCD-1234"))

	cfg, err := os.ReadFile(filepath.Join(tree, "boot/grub/grub.cfg"))
	require.NoError(t, err)
	assert.Equal(t, GrubCfg(c), string(cfg))
	assert.Contains(t, string(cfg), "menuentry 'Test OS 1'")
	fstab, err := os.ReadFile(filepath.Join(tree, "etc/fstab"))
	require.NoError(t, err)
	assert.Equal(t, Fstab("root-uuid", "ABCD-1234"), string(fstab))
	assert.DirExists(t, filepath.Join(tree, "boot/efi"))
	assert.FileExists(t, filepath.Join(tree, "boot/grub/grubenv"))
	assert.FileExists(t, filepath.Join(tree, "boot/grub/i386-pc/normal.mod"))
	assert.FileExists(t, filepath.Join(tree, "boot/grub/i386-pc/command.lst"))
	assert.FileExists(t, filepath.Join(tree, "boot/grub/x86_64-efi/normal.mod"))
	assert.NoFileExists(t, filepath.Join(tree, "boot/grub/i386-pc/boot.img"))
	assert.NoFileExists(t, filepath.Join(tree, "boot/grub/x86_64-efi/normal.module"))
}

func TestPrepareTreeReplacesAnAbsoluteSymlinkInsteadOfWritingThroughIt(t *testing.T) {
	t.Parallel()
	tree := fakeTree(t)
	outside := filepath.Join(t.TempDir(), "host-fstab")
	require.NoError(t, os.WriteFile(outside, []byte("host"), 0o644))
	require.NoError(t, os.Symlink(outside, filepath.Join(tree, "etc/fstab")))
	k, err := FindKernel(tree)
	require.NoError(t, err)
	require.NoError(t, prepareTree(tree, BootConfig{RootUUID: "r", Kernel: k}, "ABCD-1234"))

	host, err := os.ReadFile(outside)
	require.NoError(t, err)
	assert.Equal(t, "host", string(host))
	fi, err := os.Lstat(filepath.Join(tree, "etc/fstab"))
	require.NoError(t, err)
	assert.True(t, fi.Mode().IsRegular())
}
