package disk

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testbase"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// writeFiles makes files (path to content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
}

// baseTree returns a private Debian root tree (Build writes into its tree):
// a copy of DIB_TEST_TREE when that names one (quicker while developing),
// else the tests' cached base unpacked. The tree has linux-image-amd64,
// grub-pc-bin, grub-efi-amd64-bin and initramfs-tools.
func baseTree(t *testing.T) string {
	t.Helper()
	src := os.Getenv("DIB_TEST_TREE")
	if src == "" {
		return testbase.Tree(t)
	}
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mkfs.ext4", "mkfs.fat", "mmd", "mcopy", "cp")
	dst := filepath.Join(t.TempDir(), "tree")
	_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"cp", "-a", "--reflink=auto", src + "/.", dst}})
	require.NoError(t, err)
	return dst
}
