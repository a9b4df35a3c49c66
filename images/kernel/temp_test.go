package kernel

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// killedIn is set in the environment of the child of
// TestAKilledExtractLeavesNothingInTheOutputDirectory.
const killedIn = "DIB_KERNEL_TEST_KILLED_IN"

// TestAKilledExtractLeavesNothingInTheOutputDirectory: a get-kernel
// killed while it writes the kernel (SIGKILL: no cleanup runs) leaves no
// temporary file beside its outputs.
func TestAKilledExtractLeavesNothingInTheOutputDirectory(t *testing.T) {
	if dir := os.Getenv(killedIn); dir != "" {
		tmp, err := newTemp(filepath.Join(dir, "img-vmlinuz"))
		if err == nil {
			_, err = tmp.f.Write(make([]byte, 1<<20))
		}
		if err != nil {
			os.Exit(3)
		}
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestAKilledExtractLeavesNothingInTheOutputDirectory$")
	cmd.Env = append(os.Environ(), killedIn+"="+dir)
	err := cmd.Run()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the child is killed: %v", err)
	require.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal(), "the child is killed while writing")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "nothing left in the output directory")
}

// TestAnOutputGetsItsNameWholeAndOnlyOnCommit: until commit the output
// directory holds nothing of it; then the file is there, whole, 0644,
// replacing an older one; one not committed leaves nothing.
func TestAnOutputGetsItsNameWholeAndOnlyOnCommit(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "img-vmlinuz")
	require.NoError(t, os.WriteFile(dest, []byte("older"), 0o600))
	tmp, err := newTemp(dest)
	require.NoError(t, err)
	_, err = tmp.f.Write([]byte("kernel"))
	require.NoError(t, err)
	require.NoError(t, tmp.f.Chmod(0o644))
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1, "only the older file while writing")
	data, _ := os.ReadFile(dest)
	assert.Equal(t, "older", string(data))

	require.NoError(t, tmp.commit())
	tmp.cleanup()
	data, err = os.ReadFile(dest)
	require.NoError(t, err)
	assert.Equal(t, "kernel", string(data))
	fi, err := os.Stat(dest)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	entries, _ = os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary name left")

	other, err := newTemp(filepath.Join(dir, "img-initrd"))
	require.NoError(t, err)
	other.cleanup()
	entries, _ = os.ReadDir(dir)
	assert.Len(t, entries, 1, "an output not committed leaves nothing")
}
