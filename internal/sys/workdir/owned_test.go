package workdir

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary be the owner process of a directory: with
// OWNED_TEST_PARENT set it makes one there, prints its path and waits to
// be killed.
func TestMain(m *testing.M) {
	if parent := os.Getenv("OWNED_TEST_PARENT"); parent != "" {
		o, err := Make(parent, "dib-build-*")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		os.WriteFile(filepath.Join(o.Path, "data"), []byte("x"), 0o644)
		fmt.Println(o.Path)
		time.Sleep(time.Hour)
	}
	os.Exit(m.Run())
}

// ownerProcess starts a process that owns a new directory in parent and
// returns it with the directory's path.
func ownerProcess(t *testing.T, parent string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OWNED_TEST_PARENT="+parent)
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	dir := line[:len(line)-1]
	require.DirExists(t, dir, line)
	return cmd, dir
}

func TestTheDirectoryOfAKilledOwnerIsDeadAndALiveOwnersIsNot(t *testing.T) {
	parent := t.TempDir()
	killed, deadDir := ownerProcess(t, parent)
	_, liveDir := ownerProcess(t, parent)
	mine, err := Make(parent, "dib-build-*")
	require.NoError(t, err)
	defer mine.Remove()

	dead, err := Dead(parent, "dib-build-")
	require.NoError(t, err)
	assert.Empty(t, dead, "every owner lives")
	assert.True(t, Alive(liveDir))
	assert.True(t, Alive(mine.Path))

	require.NoError(t, killed.Process.Signal(syscall.SIGKILL))
	killed.Wait()
	assert.False(t, Alive(deadDir))
	dead, err = Dead(parent, "dib-build-")
	require.NoError(t, err)
	require.Len(t, dead, 1)
	assert.Equal(t, deadDir, dead[0].Path)
	again, err := Dead(parent, "dib-build-")
	require.NoError(t, err)
	assert.Empty(t, again, "a dead directory is taken by one sweeper at a time")
	require.NoError(t, dead[0].Remove())
	assert.NoDirExists(t, deadDir)
	assert.FileExists(t, filepath.Join(liveDir, "data"), "a live owner's files are never touched")
	assert.DirExists(t, mine.Path)
}

func TestDeadTakesNoDirectoryThatIsNotAnOwnedOneOfThisUser(t *testing.T) {
	parent := t.TempDir()
	other := t.TempDir()
	released := func(name string) string {
		o, err := Make(other, name)
		require.NoError(t, err)
		o.Release()
		return o.Path
	}
	// Without an owner file: made by someone else, or kept.
	require.NoError(t, os.Mkdir(filepath.Join(parent, "dib-build-plain"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(parent, "dib-build-plain", "f"), nil, 0o644))
	kept, err := Make(parent, "dib-build-kept-*")
	require.NoError(t, err)
	require.NoError(t, kept.Keep())
	// A link to a dead directory elsewhere.
	require.NoError(t, os.Symlink(released("dib-build-target"), filepath.Join(parent, "dib-build-link")))
	// One that others can write into.
	open, err := Make(parent, "dib-build-open-*")
	require.NoError(t, err)
	open.Release()
	require.NoError(t, os.Chmod(open.Path, 0o777))
	// A wrong name.
	wrong, err := Make(parent, "other-*")
	require.NoError(t, err)
	wrong.Release()

	dead, err := Dead(parent, "dib-build-")
	require.NoError(t, err)
	assert.Empty(t, dead)
	assert.DirExists(t, kept.Path)
	assert.FileExists(t, filepath.Join(parent, "dib-build-plain", "f"))
	assert.DirExists(t, filepath.Join(other, "dib-build-target"))
}

func TestAMissingParentHasNoDeadDirectories(t *testing.T) {
	dead, err := Dead(filepath.Join(t.TempDir(), "none"), "dib-build-")
	assert.NoError(t, err)
	assert.Empty(t, dead)
}
