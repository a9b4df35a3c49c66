package images

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/nsrun"
)

// breakPhases are the phases a break point can name.
var breakPhases = []flavours.Phase{flavours.ExtraData, flavours.PreInstall, flavours.Install,
	flavours.PostInstall, flavours.Finalise, flavours.Cleanup, flavours.BlockDevice}

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
func (b *builder) breakAt(ctx context.Context, point string, phase flavours.Phase) {
	if !slices.Contains(b.spec.Break, point) || (phase.InChroot && b.root == nil) {
		return
	}
	argv := []string{"/bin/sh", "-c", b.spec.BreakCmd}
	where := "outside the image, in " + b.dir
	if phase.InChroot {
		where = "in the image root"
	}
	if b.spec.BreakCmd == "" {
		argv = []string{"/bin/bash", "-i"}
		b.logf("break %s: opening a shell %s; exit it to go on", point, where)
	} else {
		b.logf("break %s: running break_cmd %s", point, where)
	}
	hooksPath, target := b.hooksDir, b.rootDir
	if phase.InChroot {
		hooksPath, target = "/tmp/in_target.d", "/"
	}
	env := b.hookEnv(phase.InChroot, target, hooksPath, "DIB_BREAK="+point, "PS1=dib-break("+point+")# ")
	step := []nsrun.Step{{Label: "break", Argv: argv, Interactive: true}}
	var job nsrun.Job
	if phase.InChroot {
		job = b.root.Job(env, nil, step)
	} else {
		job = nsrun.Job{Env: env, Steps: step, Dir: b.dir}
	}
	// A break point is for looking around: its outcome does not change
	// the build's.
	if _, err := nsrun.RunInteractive(ctx, job, os.Stdin, os.Stdout, os.Stderr); err != nil {
		b.logf("break %s: %v", point, err)
	}
}
