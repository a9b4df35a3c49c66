package rootfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
)

// Workspace is a build directory in a tmp dir, owned by this process
// (workdir.Owned), with a janitor that journals into it what it is told:
// if the build and its janitor are killed together, the next build's
// sweep of that tmp dir removes the directory and the paths its journal
// lists. Build works in one; so does a build that makes no root (a --host
// ramdisk).
type Workspace struct {
	Dir     string
	Janitor *janitor.Janitor
	owned   *workdir.Owned
}

// NewWorkspace sweeps what dead builds left in tmpDir (see SweepTmpDir,
// logging each path removed to log), then makes a workspace there.
func NewWorkspace(tmpDir string, log io.Writer) (*Workspace, error) {
	SweepTmpDir(tmpDir, log)
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return nil, fmt.Errorf("build directory: %w", err)
	}
	owned, err := workdir.Make(tmpDir, buildDirPrefix+"*")
	if err != nil {
		return nil, fmt.Errorf("build directory: %w", err)
	}
	jan, err := janitor.Start(filepath.Join(owned.Path, janitor.JournalName))
	if err != nil {
		return nil, errors.Join(err, owned.Remove())
	}
	jan.Add(owned.Path)
	return &Workspace{Dir: owned.Path, Janitor: jan, owned: owned}, nil
}

// Close removes the directory and ends the janitor; with keep, it leaves
// the directory for debugging (no later sweep takes it).
func (w *Workspace) Close(keep bool) error {
	defer w.Janitor.Done()
	if keep {
		w.Janitor.Forget(w.Dir)
		return w.owned.Keep()
	}
	if err := w.owned.Remove(); err != nil {
		return err
	}
	w.Janitor.Forget(w.Dir)
	return nil
}

// SweepTmpDir removes what dead builds left in tmpDir: build directories
// whose owner is gone, with the temporary outputs their journals list (see
// janitor.Sweep), and logs each path removed to log. What it cannot
// remove is logged, not fatal.
func SweepTmpDir(tmpDir string, log io.Writer) {
	removed, err := janitor.Sweep(tmpDir, buildDirPrefix)
	logSwept(log, removed, err)
}

func logSwept(log io.Writer, removed []string, err error) {
	for _, p := range removed {
		fmt.Fprintf(log, "swept what a dead build left: %s\n", p)
	}
	if err != nil {
		fmt.Fprintf(log, "sweep: %v\n", err)
	}
}
