package elfdeps_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
)

// lddPaths returns the real paths of the libraries and interpreter ldd
// reports for bin on the host.
func lddPaths(t *testing.T, bin string) []string {
	t.Helper()
	out, err := exec.Command("ldd", bin).Output()
	require.NoError(t, err, "ldd %s", bin)
	var paths []string
	for _, m := range regexp.MustCompile(`(?m)(?:=> |^\s+)(/\S+) \(0x`).FindAllStringSubmatch(string(out), -1) {
		real, err := filepath.EvalSymlinks(m[1])
		require.NoError(t, err)
		paths = append(paths, real)
	}
	sort.Strings(paths)
	return paths
}

// regularFiles returns the paths of files that are not links, but bin.
// pathsOf returns the paths of files.
func pathsOf(files []inroot.File) []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}

func regularFiles(files []inroot.File, skip string) []string {
	var out []string
	for _, f := range files {
		if f.Link == "" && f.Path != skip {
			out = append(out, f.Path)
		}
	}
	return out
}

func TestClosureOfHostProgramsMatchesLdd(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "ldd")
	for _, bin := range []string{"/usr/bin/ls", "/usr/bin/bash", "/usr/bin/ssh"} {
		if _, err := os.Stat(bin); err != nil {
			t.Logf("%s is not on this host", bin)
			continue
		}
		files, err := elfdeps.Closure("/", bin)
		require.NoError(t, err, bin)
		real, err := filepath.EvalSymlinks(bin)
		require.NoError(t, err)
		assert.Equal(t, lddPaths(t, bin), regularFiles(files, real), bin)
	}
}

func TestClosureRecordsEveryLinkOfMergedUsr(t *testing.T) {
	t.Parallel()
	if fi, err := os.Lstat("/lib64"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Skip("skipped: the host has no /lib64 symlink (not merged-/usr)")
	}
	files, err := elfdeps.Closure("/", "ls")
	require.NoError(t, err)
	target, err := os.Readlink("/lib64")
	require.NoError(t, err)
	assert.Contains(t, files, inroot.File{Path: "/lib64", Link: target})
	assert.Contains(t, files, inroot.File{Path: "/usr/bin/ls"}, "ls is looked up in PATH inside the root")
}

func TestClosureOfAScriptHoldsItsInterpreter(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	copyClosure(t, root, "/usr/bin/bash", "/usr/bin/bash")
	writeFile(t, root, "/usr/local/bin/hello", "#!/usr/bin/bash -e\necho hello\n", 0o755)
	writeFile(t, root, "/usr/local/bin/hello-env", "#!/usr/bin/env bash\necho hello\n", 0o755)
	copyClosure(t, root, "/usr/bin/env", "/usr/bin/env")

	files, err := elfdeps.Closure(root, "hello", "/usr/local/bin/hello-env")
	require.NoError(t, err)
	paths := pathsOf(files)
	assert.Contains(t, paths, "/usr/local/bin/hello")
	assert.Contains(t, paths, "/usr/bin/bash")
	assert.Contains(t, paths, "/usr/bin/env")
}

func TestClosureOfAMissingProgramNamesIt(t *testing.T) {
	t.Parallel()
	_, err := elfdeps.Closure(t.TempDir(), "no-such-program")
	assert.ErrorIs(t, err, elfdeps.ErrNotFound)
	assert.ErrorContains(t, err, "no-such-program")
}
