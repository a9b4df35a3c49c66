package faults

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// TestTheNextUnprivilegedBuildSweepsWhatAKilledOneLeft kills an
// unprivileged build together with its janitor (every process of it at
// once), which leaves a build directory of files owned by the user's
// subordinate IDs: the user cannot remove them from outside its
// namespace. The user's next build sweeps them from inside its own.
func TestTheNextUnprivilegedBuildSweepsWhatAKilledOneLeft(t *testing.T) {
	testenv.Short(t)
	testenv.RequireCommands(t, "mmdebstrap", "qemu-img", "mkfs.ext4", "mkfs.vfat", "mcopy")
	u := testenv.UnprivilegedUser(t)
	src, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	flavours := testenv.CopyTree(t, src)
	out, tmp := u.Dir(t), u.Dir(t)
	argv := []string{filepath.Join(testenv.Commands(t), "disk-image-create"), "-o", filepath.Join(out, "img"), "-t", "tar",
		"--flavours-path", flavours, "--tmp-dir", tmp, "base", "dib-test-fault"}

	token := "DIB_FAULT_TOKEN=" + randomHex()
	p := startCmd(t, u.Command(context.Background(), []string{token, "TMPDIR=" + tmp, "DIB_FAULT_PHASE=install", "DIB_FAULT_ACTION=wait"}, argv...))
	require.NoError(t, p.waitFor("DIB-FAULT-READY install", 10*time.Minute), p.log())
	killAll(token)
	p.wait()
	require.Eventually(t, func() bool { return len(tokenProcesses(token)) == 0 }, time.Minute, 100*time.Millisecond)
	left := globs(t, filepath.Join(tmp, "dib_build.*"))
	require.NotEmpty(t, left, "the killed build left its build directory")
	require.NotEmpty(t, subordinateFiles(u, tmp), "with files of the user's subordinate IDs in it")

	token2 := "DIB_FAULT_TOKEN=" + randomHex()
	q := startCmd(t, u.Command(context.Background(), []string{token2, "TMPDIR=" + tmp}, argv...))
	require.NoError(t, q.waitFor("building ", 5*time.Minute), q.log())
	require.NoError(t, q.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 130, q.wait(), q.log())
	for _, l := range left {
		assert.Contains(t, q.log(), "swept what a dead build left: "+l)
	}
	assert.Empty(t, subordinateFiles(u, tmp, out), "nothing of the subordinate IDs left")
	assert.Empty(t, entries(tmp), "nothing left in the tmp dir")
	assert.Empty(t, tokenProcesses(token2))
}
