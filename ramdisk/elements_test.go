package ramdisk_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
)

func TestARamdiskTakesElementsBinaryDepsInitAndUdevDirectories(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t, "outer", "dibtest-rd-b")
	els := t.TempDir()
	for p, c := range map[string]string{
		"dibtest-rd-a/README.rst":                 "a\n",
		"dibtest-rd-a/binary-deps.d/dibtest-rd-a": "lsblk\n",
		"dibtest-rd-a/init.d/20-dibtest-rd-a":     "echo element-a-fragment\n",
		"dibtest-rd-a/udev.d/71-dibtest-rd.rules": "# rule of a\n",
		"dibtest-rd-b/README.rst":                 "b\n",
		"dibtest-rd-b/element-deps":               "dibtest-rd-a\n",
		"dibtest-rd-b/binary-deps.d/dibtest-rd-b": "# programs\nblkid\n",
		"dibtest-rd-b/init.d/10-dibtest-rd-b":     "echo element-b-fragment\n",
	} {
		write(t, els, p, c)
	}
	spec.ElementsPath = []string{els}
	res, err := ramdisk.Build(context.Background(), spec)
	require.NoError(t, err)
	a, err := archivetest.ReadFile(res.Initramfs)
	require.NoError(t, err)
	lib := "/lib" // where /lib lands in the archive: /usr/lib on a merged-/usr host
	if target, _ := os.Readlink("/lib"); target == "usr/lib" {
		lib = "/usr/lib"
	}
	assert.NoError(t, a.Validate(
		archivetest.HasFile{Path: evalPath(t, "lsblk")},
		archivetest.HasFile{Path: evalPath(t, "blkid")},
		archivetest.HasContent{Path: lib + "/udev/rules.d/71-dibtest-rd.rules", Content: "# rule of a\n"},
		archivetest.HasContent{Path: "/etc/udev/rules.d/70-dib.rules", Content: "# a rule\n"},
	))
	init := string(a.ByName["/init"].Data)
	outer := strings.Index(init, "echo outer-fragment")
	b := strings.Index(init, "echo element-b-fragment")
	el := strings.Index(init, "echo element-a-fragment")
	assert.True(t, outer > 0 && b > outer && el > b, "the flavours' init first, then init.d fragments in name order across elements (10 of b before 20 of a)")
}

// evalPath is where a host program lands in a --host ramdisk: its path
// in PATH with symbolic links resolved.
func evalPath(t *testing.T, name string) string {
	t.Helper()
	p, err := filepath.EvalSymlinks(mustLookPath(t, name))
	require.NoError(t, err)
	return p
}
