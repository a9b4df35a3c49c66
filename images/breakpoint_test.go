package images_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
)

// breakCmd records each break point and where it ran: "/" inside the image
// root, the host path of the root outside it.
const breakCmd = `f=/dib-breaks; [ "$TARGET_ROOT" = / ] || f="$TARGET_ROOT/dib-breaks"; echo "$DIB_BREAK $TARGET_ROOT" >> "$f"`

func TestBreakPointsRunBreakCmdInsideOrOutsideTheImage(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "breaks", "dib-test-all")
	spec.Types = []string{"tar"}
	spec.Packages = []string{"hello"}
	spec.Break = []string{"after-extra-data", "before-pre-install", "after-install", "before-cleanup"}
	spec.BreakCmd = breakCmd
	_, err := images.Build(context.Background(), spec)
	require.NoError(t, err)
	files := readTar(t, spec.Name+".tar")
	require.Contains(t, files, "./dib-breaks")
	lines := strings.Split(strings.TrimSpace(files["./dib-breaks"].Data), "\n")
	require.Len(t, lines, 4, lines)
	assert.True(t, strings.HasPrefix(lines[0], "after-extra-data /"), lines[0])
	assert.NotEqual(t, "after-extra-data /", lines[0], "extra-data breaks outside the image")
	assert.Equal(t, "before-pre-install /", lines[1], "pre-install breaks inside the image")
	assert.Equal(t, "after-install /", lines[2])
	assert.True(t, strings.HasPrefix(lines[3], "before-cleanup /") && lines[3] != "before-cleanup /", lines[3])
}

func TestAfterErrorBreaksInThePhaseThatFailedAndKeepBuildDirKeepsTheTree(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "fails", "dib-test-fail")
	spec.Types = []string{"tar"}
	spec.Break = []string{"after-error"}
	spec.BreakCmd = breakCmd
	spec.KeepBuildDir = true
	res, err := images.Build(context.Background(), spec)
	require.Error(t, err)
	require.NotEmpty(t, res.BuildDir)
	t.Cleanup(func() { os.RemoveAll(res.BuildDir) })
	data, err := os.ReadFile(filepath.Join(res.BuildDir, "root/dib-breaks"))
	require.NoError(t, err, "the kept tree holds what break_cmd wrote")
	assert.Equal(t, "after-error /\n", string(data), "install.d failed: the break runs inside the image")
	assert.DirExists(t, filepath.Join(res.BuildDir, "hooks/install.d"))
	assert.Empty(t, leftovers(t, "sleep 777", res.BuildDir), "kept, but nothing mounted or running")
}

func TestABadBreakPointIsBadInput(t *testing.T) {
	spec := testSpec(t, "x", "dib-test-all")
	spec.Break = []string{"before-lunch"}
	_, err := images.Build(context.Background(), spec)
	require.Error(t, err)
	assert.True(t, images.IsInputError(err))
	assert.Contains(t, err.Error(), `bad break point "before-lunch"`)
}
