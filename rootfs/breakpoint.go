package rootfs

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
	"github.com/tripleo/diskimage-builder/rootfs/chroot"
)

// breakPhases are the phases a break point can name.
var breakPhases = []flavours.Phase{flavours.Root, flavours.ExtraData, flavours.PreInstall, flavours.Install,
	flavours.PostInstall, flavours.PostRoot, flavours.PreFinalise, flavours.Finalise, flavours.Cleanup, flavours.BlockDevice}

// checkBreaks validates break points: before-PHASE, after-PHASE, after-error.
func checkBreaks(points []string) error {
	for _, p := range points {
		if p == "after-error" {
			continue
		}
		when, phase, ok := strings.Cut(p, "-")
		if ok && (when == "before" || when == "after") {
			if _, known := flavours.PhaseByName(phase); known && phase != flavours.FirstBoot.Name {
				continue
			}
		}
		var names []string
		for _, ph := range breakPhases {
			names = append(names, ph.Name)
		}
		return fmt.Errorf("bad break point %q: use before-PHASE, after-PHASE or after-error, PHASE one of %s", p, strings.Join(names, ", "))
	}
	return nil
}

// breakAt opens the debugging shell (or runs Spec.BreakCmd) when point is
// one of the requested break points: inside the image root for chroot
// phases, in the build directory otherwise.
func (r *Root) breakAt(ctx context.Context, point string, phase flavours.Phase) {
	spec := r.Plan.Spec
	if !slices.Contains(spec.Break, point) || (phase.InChroot && r.chroot == nil) {
		return
	}
	argv := []string{"/bin/sh", "-c", spec.BreakCmd}
	where := "outside the image, in " + r.Dir
	if phase.InChroot {
		where = "in the image root"
	}
	if spec.BreakCmd == "" {
		argv = []string{"/bin/bash", "-i"}
		r.logf("break %s: opening a shell %s; exit it to go on", point, where)
	} else {
		r.logf("break %s: running break_cmd %s", point, where)
	}
	hooksPath, target := r.hooksDir, r.Tree
	if phase.InChroot {
		hooksPath, target = chroot.HooksTarget, "/"
	}
	env := r.hookEnv(phase.InChroot, target, hooksPath, "DIB_BREAK="+point, "PS1=dib-break("+point+")# ")
	job := r.job(phase.InChroot, env, nil, []nsrun.Step{{Label: "break", Argv: argv, Interactive: true}})
	// A break point is for looking around: its outcome does not change
	// the build's.
	if _, err := nsrun.RunInteractive(ctx, job, os.Stdin, os.Stdout, os.Stderr); err != nil {
		r.logf("break %s: %v", point, err)
	}
}

// breakOnError opens the after-error break point, once, where phase runs.
func (r *Root) breakOnError(ctx context.Context, phase flavours.Phase) {
	if !r.errBroken {
		r.errBroken = true
		r.breakAt(ctx, "after-error", phase)
	}
}

// BreakOnError opens the after-error break point, outside the image in
// the build directory, when Spec.Break asks for it and no failure opened
// it yet. Output stages call it when they fail.
func (r *Root) BreakOnError(ctx context.Context) {
	if ctx.Err() == nil {
		r.breakOnError(ctx, flavours.BlockDevice)
	}
}
