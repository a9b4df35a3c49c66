package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// OpenTempDir is a temporary directory of t that every user may enter.
func OpenTempDir(t testing.TB) string {
	t.Helper()
	d := t.TempDir()
	for _, p := range []string{filepath.Dir(d), d} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// Executable copies the program at src where every user may run it, and
// returns the copy's path.
func Executable(t testing.TB, src string) string {
	t.Helper()
	dir := OpenTempDir(t)
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(src))
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Commands builds the module's commands (cmd/...) into a directory of t
// every user may run them from, and returns it.
func Commands(t testing.TB) string {
	t.Helper()
	RequireCommands(t, "go")
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := OpenTempDir(t)
	cmd := exec.Command("go", "build", "-o", dir+"/", "./cmd/...")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the commands: %v\n%s", err, out)
	}
	return dir
}

// CopyTree copies the directory src (files, directories, links and modes)
// into a directory of t every user may read, and returns the copy.
func CopyTree(t testing.TB, src string) string {
	t.Helper()
	dst := filepath.Join(OpenTempDir(t), filepath.Base(src))
	if out, err := exec.Command("cp", "-a", "--no-preserve=ownership", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copy %s: %v\n%s", src, err, out)
	}
	if out, err := exec.Command("chmod", "-R", "a+rX", dst).CombinedOutput(); err != nil {
		t.Fatalf("open %s: %v\n%s", dst, err, out)
	}
	return dst
}

// moduleRoot is the directory of the go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}
