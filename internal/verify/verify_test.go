package verify

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// tarOf packs files (name to content) into dir/name.
func tarOf(t *testing.T, dir, name string, files map[string]string) {
	t.Helper()
	src := t.TempDir()
	for p, c := range files {
		require.NoError(t, os.WriteFile(filepath.Join(src, p), []byte(c), 0o644))
	}
	_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0",
		"--numeric-owner", "-cf", filepath.Join(dir, name), "-C", src, "."}})
	require.NoError(t, err)
}

func TestCompareNamesTheOutputThatDiffersAndWhatInside(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "tar", "diffoscope")
	a, b := t.TempDir(), t.TempDir()
	tarOf(t, a, "vm.tar", map[string]string{"etc-motd": "hello\n", "etc-hostname": "localhost\n"})
	tarOf(t, b, "vm.tar", map[string]string{"etc-motd": "hello, changed\n", "etc-hostname": "localhost\n"})
	for _, d := range []string{a, b} {
		require.NoError(t, os.WriteFile(filepath.Join(d, "vm.cdx.json"), []byte("{}\n"), 0o644))
	}
	var log bytes.Buffer
	diffs, err := Compare(context.Background(), Pairs(a, b, "vm.tar", "vm.cdx.json"), &log)
	require.NoError(t, err)
	require.Len(t, diffs, 1)
	assert.Equal(t, "vm.tar", diffs[0].Name)
	assert.NotEqual(t, diffs[0].SumA, diffs[0].SumB)
	assert.Contains(t, diffs[0].Detail, "── ./etc-motd", "diffoscope names the member")
	assert.Contains(t, diffs[0].Detail, "changed")
	assert.NotContains(t, diffs[0].Detail, "── ./etc-hostname", "nor what is the same")
	assert.Contains(t, log.String(), "DIFFERS  vm.tar")
	assert.Contains(t, log.String(), "same     vm.cdx.json")
}

func TestAnOutputMissingFromOneBuildIsADifference(t *testing.T) {
	t.Parallel()
	a, b := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(a, "vm.qcow2"), []byte("x"), 0o644))
	var log bytes.Buffer
	diffs, err := Compare(context.Background(), Pairs(a, b, "vm.qcow2"), &log)
	require.NoError(t, err)
	require.Len(t, diffs, 1)
	assert.Empty(t, diffs[0].SumB)
	assert.Contains(t, log.String(), "vs missing")
}
