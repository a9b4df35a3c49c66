package janitor

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/reexec"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
)

// build is a build's temporary files as a test makes them: its owned build
// directory with the janitor's journal, a file outside it and an owned
// scratch directory elsewhere, all registered.
type build struct {
	dir, scratch *workdir.Owned
	outside      string
	jan          *Janitor
}

func startBuild(t *testing.T, tmp, out string) *build {
	t.Helper()
	dir, err := workdir.Make(tmp, "dib-build-*")
	require.NoError(t, err)
	jan, err := Start(filepath.Join(dir.Path, JournalName))
	require.NoError(t, err)
	jan.Add(dir.Path)
	b := &build{dir: dir, jan: jan, outside: filepath.Join(out, ".img.qcow2.tmp-1")}
	jan.Add(b.outside)
	require.NoError(t, os.WriteFile(b.outside, []byte("partial"), 0o644))
	b.scratch, err = workdir.Make(tmp, "dib-bootstrap-*")
	require.NoError(t, err)
	jan.Add(b.scratch.Path)
	// Registered, then removed and forgotten by the build itself.
	gone := filepath.Join(out, "forgotten")
	jan.Add(gone)
	jan.Forget(gone)
	require.NoError(t, os.WriteFile(gone, nil, 0o644))
	return b
}

// killAll kills the build and its janitor at once, as a cgroup-wide kill
// does: the janitor never runs, and the kernel releases the build's locks.
func (b *build) killAll(t *testing.T) {
	t.Helper()
	cmd := b.jan.cmd.(*reexec.Cmd)
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	b.dir.Release()
	b.scratch.Release()
}

func TestSweepRemovesWhatABuildKilledWithItsJanitorLeftAndNothingOfALiveBuild(t *testing.T) {
	tmp, out := t.TempDir(), t.TempDir()
	live := startBuild(t, tmp, out)
	defer live.jan.Done()
	live.outside = filepath.Join(out, ".live.qcow2.tmp-2")
	require.NoError(t, os.WriteFile(live.outside, nil, 0o644))
	live.jan.Add(live.outside)

	dead := startBuild(t, tmp, t.TempDir())
	dead.killAll(t)
	// The dead build's journal lists the live build's scratch directory too
	// (a fixed name reused): it is left alone while its owner lives.
	dead.jan.journal = nil
	j, err := os.OpenFile(filepath.Join(dead.dir.Path, JournalName), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	j.WriteString("add \"" + live.scratch.Path + "\"\n")
	j.Close()

	removed, err := Sweep(tmp, "dib-build-")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{dead.dir.Path, dead.outside, dead.scratch.Path}, removed)
	assert.NoFileExists(t, dead.outside)
	assert.NoDirExists(t, dead.dir.Path)
	assert.NoDirExists(t, dead.scratch.Path)
	assert.FileExists(t, filepath.Join(filepath.Dir(dead.outside), "forgotten"), "a path the build forgot is not removed")

	assert.DirExists(t, live.dir.Path)
	assert.DirExists(t, live.scratch.Path)
	assert.FileExists(t, live.outside)
	assert.FileExists(t, filepath.Join(live.dir.Path, JournalName))
	removed, err = Sweep(tmp, "dib-bootstrap-")
	require.NoError(t, err)
	assert.Empty(t, removed, "the live scratch directory")
}

func TestTheJanitorRemovesTheRegisteredPathsWhenOnlyTheBuildDies(t *testing.T) {
	tmp, out := t.TempDir(), t.TempDir()
	b := startBuild(t, tmp, out)
	// The build dies (its end of the pipe closes); the janitor lives on.
	b.jan.w.Close()
	cmd := b.jan.cmd.(*reexec.Cmd)
	require.NoError(t, cmd.Wait())
	assert.NoDirExists(t, b.dir.Path)
	assert.NoFileExists(t, b.outside)
	assert.NoDirExists(t, b.scratch.Path)
	assert.FileExists(t, filepath.Join(out, "forgotten"))
}

func TestAPathWithANewlineIsOnePath(t *testing.T) {
	var r registry
	victim := t.TempDir()
	r.apply(`add "/x/a\nadd ` + victim + `"`)
	r.apply("add " + victim) // unquoted: not a line the janitor writes
	assert.Equal(t, []string{"/x/a\nadd " + victim}, r.pending())
	assert.Equal(t, "done", r.apply("done"))
}
