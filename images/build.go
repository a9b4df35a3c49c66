package images

import (
	"context"
	"errors"
	"time"

	"github.com/tripleo/diskimage-builder/rootfs"
)

// Result is what a build made and how long each part took.
type Result struct {
	Outputs  []string      // the files written, in the order of Spec.Types
	Phases   []Timing      // every phase, in order
	Hooks    []Timing      // every hook that ran, in order
	Duration time.Duration // the whole build
	BuildDir string        // set when Spec.KeepBuildDir kept it
	RootUUID string        // UUID of the root filesystem of disk outputs
	SBOM     string        // the bill of materials placed with the outputs, NAME.cdx.json
	// Stamping is the time the outputs phase spent on reproducibility
	// alone: clamping the times of what the disk stage wrote into the
	// tree, and stamping the vhd and vmdk headers (the root's own share is
	// its "normalize" phase).
	Stamping time.Duration
}

// Timing is how long one named step took.
type Timing = rootfs.Timing

// InputError marks bad input, found before anything was made (see
// rootfs.InputError).
type InputError = rootfs.InputError

// IsInputError reports whether err is (or wraps) an *InputError.
func IsInputError(err error) bool { return rootfs.IsInputError(err) }

// Build builds the image spec describes: Plan, then Plan.Build. Problems
// with the spec itself are returned as *InputError before anything is
// created; a cancelled ctx gives an *rootfs.InterruptedError naming the
// phase. On any failure the build directory is removed (unless kept) and
// no output is left at its final path; older outputs stay as they were.
func Build(ctx context.Context, spec Spec) (*Result, error) {
	p, err := spec.Plan()
	if err != nil {
		return nil, err
	}
	return p.Build(ctx)
}

// Build builds the root tree (rootfs.Build), then writes it out as the
// disk types and tar asked for (Write). In a process that is not root the
// whole build runs as root of a user namespace of the user (see
// rootfs.InUserNamespace): the image is the same as a root build's.
func (p *Plan) Build(ctx context.Context) (*Result, error) {
	if rootfs.NeedsUserNamespace() {
		return p.buildInUserNamespace(ctx)
	}
	start := time.Now()
	root, err := rootfs.Build(ctx, p.Root)
	res := &Result{Phases: root.Phases, Hooks: root.Hooks}
	if err == nil {
		res, err = Write(ctx, root, p)
	}
	err = errors.Join(err, root.Close())
	res.BuildDir, res.Duration = root.BuildDir, time.Since(start)
	return res, err
}
