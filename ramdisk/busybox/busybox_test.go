package busybox_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk/busybox"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
)

func hostBusybox(t *testing.T) string {
	t.Helper()
	testenv.RequireCommands(t, "busybox")
	p, err := exec.LookPath("busybox")
	require.NoError(t, err)
	real, err := filepath.EvalSymlinks(p)
	require.NoError(t, err)
	return real
}

func TestAppletsOfTheHostBusyboxIncludeTheShell(t *testing.T) {
	t.Parallel()
	applets, err := busybox.Applets(context.Background(), "/", hostBusybox(t))
	require.NoError(t, err)
	assert.Contains(t, applets, "/bin/sh")
	assert.Contains(t, applets, "/sbin/udhcpc")
	assert.IsNonDecreasing(t, applets)
}

// copyClosure copies the host closure of bin into root at the same paths.
func copyClosure(t *testing.T, root, bin string) {
	t.Helper()
	files, err := elfdeps.Closure("/", bin)
	require.NoError(t, err)
	for _, f := range files {
		dst := filepath.Join(root, f.Path)
		require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		if f.Link != "" {
			require.NoError(t, os.Symlink(f.Link, dst))
			continue
		}
		in, err := os.Open(f.Path)
		require.NoError(t, err)
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o755)
		require.NoError(t, err)
		_, err = io.Copy(out, in)
		require.NoError(t, err)
		require.NoError(t, out.Close())
		require.NoError(t, in.Close())
	}
}

func TestAppletsOfARootsBusyboxRunWithTheRootsLoader(t *testing.T) {
	t.Parallel()
	bin := hostBusybox(t)
	root := t.TempDir()
	copyClosure(t, root, bin)
	applets, err := busybox.Applets(context.Background(), root, bin)
	require.NoError(t, err)
	assert.Contains(t, applets, "/bin/sh")
}

func TestAppletLinksLoseToRealPrograms(t *testing.T) {
	t.Parallel()
	a := initramfs.New()
	require.NoError(t, a.AddSymlink("/bin", "usr/bin"))
	require.NoError(t, a.AddContent("/usr/bin/busybox", []byte("busybox"), 0o755))
	require.NoError(t, busybox.AddLinks(a, "/usr/bin/busybox", []string{"/bin/sh", "/sbin/ip", "/usr/bin/busybox"}))
	require.NoError(t, a.AddContent("/sbin/ip", []byte("iproute2"), 0o755))
	var buf bytes.Buffer
	require.NoError(t, a.Write(&buf, initramfs.Options{}))
	ar, err := archivetest.Read(&buf)
	require.NoError(t, err)
	assert.NoError(t, ar.Validate(
		archivetest.HasSymlink{Path: "/usr/bin/sh", Target: "/usr/bin/busybox"},
		archivetest.HasContent{Path: "/sbin/ip", Content: "iproute2"},
		archivetest.HasContent{Path: "/usr/bin/busybox", Content: "busybox"},
	))
}
