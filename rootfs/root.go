package rootfs

import (
	"fmt"
	"io"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/rootfs/chroot"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
)

// Result is what a root build did: the times and the inputs it was made
// from, for reports and for the outputs made from it.
type Result struct {
	Phases   []Timing      // every phase, in order
	Hooks    []Timing      // every hook that ran, in order
	Duration time.Duration // the whole root build
	// Fingerprint is the hash of the build's inputs (Plan.Fingerprint):
	// the seed of identifiers that should follow the inputs.
	Fingerprint string
	// Epoch is the build's SOURCE_DATE_EPOCH (Spec.SourceDateEpoch, or the
	// base's): file times in the tree are clamped to it, and output stages
	// stamp it wherever a format records a time.
	Epoch time.Time
	// Archive is the archive state the base was made from: each suite's
	// Date and InRelease hash.
	Archive  archive.State
	Cached   bool   // the tree came from the root cache; no hook ran
	BuildDir string // set when Spec.KeepBuildDir kept it, once closed
}

// Timing is how long one named step took.
type Timing struct {
	Name     string
	Duration time.Duration
}

// Root is a root tree Build made, in its build directory. Output stages
// read Tree, put their scratch files in Dir and tell Janitor of their
// temporary files; Close removes the directory.
type Root struct {
	Result
	Plan *Plan  // what was built
	Tree string // the root tree: Dir/root
	Dir  string // the build directory
	// Janitor removes the build's temporary paths if the build is killed.
	Janitor *janitor.Janitor

	ws       *Workspace // Dir and Janitor
	hooksDir string     // the flavours' files merged, as hooks see them
	// elementDirs are the directories of a set with elements, by name,
	// as hooks get them (IMAGE_ELEMENT_YAML); built-in ones are copies.
	elementDirs map[string]string
	chroot      *chroot.Root // set while the tree is prepared for chroot steps
	log         io.Writer
	phase       string // the phase running, for InterruptedError
	errBroken   bool   // the after-error break point was opened
	closed      bool
}

func (r *Root) logf(format string, args ...any) {
	fmt.Fprintf(r.log, format+"\n", args...)
}

// Close removes the build directory, unless Spec.KeepBuildDir keeps it
// (then Result.BuildDir names it), and ends the janitor. Output stages
// must have removed or placed their temporary files first. Calling it
// again does nothing.
func (r *Root) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.ws == nil {
		return nil
	}
	keep := r.Plan.Spec.KeepBuildDir
	if keep {
		r.BuildDir = r.Dir
		r.logf("build directory kept: %s", r.Dir)
	}
	return r.ws.Close(keep)
}
