package elfdeps_test

import (
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
)

func writeFile(t *testing.T, root, p, content string, mode os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(root, path.Dir(p)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(content), mode))
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	in, err := os.Open(src)
	require.NoError(t, err)
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(out, in)
	require.NoError(t, err)
	require.NoError(t, out.Close())
}

// copyClosure copies the host closure of bin into root, keeping the host
// layout, with bin itself at dst.
func copyClosure(t *testing.T, root, bin, dst string) {
	t.Helper()
	files, err := elfdeps.Closure("/", bin)
	require.NoError(t, err)
	real, err := filepath.EvalSymlinks(bin)
	require.NoError(t, err)
	for _, f := range files {
		switch {
		case f.Path == real:
			copyFile(t, real, filepath.Join(root, dst))
		case f.Link != "":
			if _, err := os.Lstat(filepath.Join(root, f.Path)); err == nil {
				continue
			}
			require.NoError(t, os.MkdirAll(filepath.Join(root, path.Dir(f.Path)), 0o755))
			require.NoError(t, os.Symlink(f.Link, filepath.Join(root, f.Path)))
		default:
			copyFile(t, f.Path, filepath.Join(root, f.Path))
		}
	}
}

// relayout copies ls and its libraries into a root where the libraries live
// in /opt/libs, found through ld.so.conf.d, and the interpreter and /bin are
// absolute symlinks that would point at host files if followed on the host.
func relayout(t *testing.T) (root string, libs []string) {
	t.Helper()
	root = t.TempDir()
	files, err := elfdeps.Closure("/", "/usr/bin/ls")
	require.NoError(t, err)
	ls, err := filepath.EvalSymlinks("/usr/bin/ls")
	require.NoError(t, err)
	copyFile(t, ls, filepath.Join(root, "usr/bin/ls"))
	require.NoError(t, os.Symlink("/usr/bin", filepath.Join(root, "bin")))
	for _, f := range files {
		base := path.Base(f.Path)
		if f.Link != "" && strings.HasPrefix(base, "lib") {
			// libfoo.so.1 -> libfoo.so.1.2.3, as an absolute link.
			require.NoError(t, os.MkdirAll(filepath.Join(root, "opt/libs/real"), 0o755))
			require.NoError(t, os.Symlink("/opt/libs/real/"+path.Base(f.Link), filepath.Join(root, "opt/libs/real", base)))
			continue
		}
		if f.Link != "" || f.Path == ls {
			continue
		}
		libs = append(libs, base)
		copyFile(t, f.Path, filepath.Join(root, "opt/libs/real", base))
		if strings.HasPrefix(base, "ld-linux") {
			require.NoError(t, os.MkdirAll(filepath.Join(root, "lib64"), 0o755))
			require.NoError(t, os.Symlink("/opt/libs/real/"+base, filepath.Join(root, "lib64", base)))
		}
	}
	require.NoError(t, os.Symlink("/opt/libs/real", filepath.Join(root, "opt/libs/current")))
	writeFile(t, root, "/etc/ld.so.conf", "# test\ninclude ld.so.conf.d/*.conf\n", 0o644)
	writeFile(t, root, "/etc/ld.so.conf.d/opt.conf", "/opt/libs/current\n", 0o644)
	return root, libs
}

func TestClosureInAFakeRootResolvesAbsoluteLinksInsideIt(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "ldd")
	root, libs := relayout(t)
	files, err := elfdeps.Closure(root, "/bin/ls")
	require.NoError(t, err)
	assert.Contains(t, files, inroot.File{Path: "/bin", Link: "/usr/bin"})
	assert.Contains(t, files, inroot.File{Path: "/usr/bin/ls"})
	assert.Contains(t, files, inroot.File{Path: "/opt/libs/current", Link: "/opt/libs/real"})
	for _, lib := range libs {
		assert.Contains(t, files, inroot.File{Path: "/opt/libs/real/" + lib})
	}
	libLinks := 0
	for _, f := range files {
		if strings.HasPrefix(f.Path, "/opt/libs/real/") && strings.HasPrefix(f.Link, "/opt/libs/real/") {
			libLinks++
		}
	}
	assert.Positive(t, libLinks, "absolute library links inside the root are followed and recorded")
	for _, f := range files {
		_, err := os.Lstat(filepath.Join(root, f.Path))
		assert.NoError(t, err, "every file of the closure is in the root")
	}
}

func TestClosureFailsNamingTheProgramAndTheMissingLibrary(t *testing.T) {
	t.Parallel()
	root, _ := relayout(t)
	// The host has this path; the root must not reach it.
	require.NoError(t, os.Remove(filepath.Join(root, "opt/libs/real/libc.so.6")))
	require.NoError(t, os.Symlink("/usr/lib/x86_64-linux-gnu/libc.so.6", filepath.Join(root, "opt/libs/real/libc.so.6")))
	_, err := elfdeps.Closure(root, "/bin/ls")
	require.Error(t, err)
	assert.ErrorIs(t, err, elfdeps.ErrNotFound)
	assert.ErrorContains(t, err, "libc.so.6")
	assert.ErrorContains(t, err, "/bin/ls")
}

func TestClosureExpandsOriginInRunpath(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "gcc")
	root := t.TempDir()
	src := t.TempDir()
	writeFile(t, src, "/lib.c", "int answer(void) { return 42; }\n", 0o644)
	writeFile(t, src, "/main.c", "int answer(void);\nint main(void) { return answer() - 42; }\n", 0o644)
	gcc := func(args ...string) {
		out, err := exec.Command("gcc", args...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "app/lib"), 0o755))
	gcc("-shared", "-fPIC", "-o", filepath.Join(root, "app/lib/libanswer.so"), filepath.Join(src, "lib.c"))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "app/bin"), 0o755))
	gcc("-o", filepath.Join(root, "app/bin/app"), filepath.Join(src, "main.c"),
		"-L"+filepath.Join(root, "app/lib"), "-lanswer", "-Wl,-rpath,$ORIGIN/../lib")
	copyClosure(t, root, "/usr/bin/true", "/usr/bin/true") // libc and interpreter

	files, err := elfdeps.Closure(root, "/app/bin/app")
	require.NoError(t, err)
	assert.Contains(t, pathsOf(files), "/app/lib/libanswer.so")
}
