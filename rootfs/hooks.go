package rootfs

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/logx"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
	"github.com/tripleo/diskimage-builder/rootfs/chroot"
)

// runPhase runs the hooks of phase p, if it has any.
func (r *Root) runPhase(ctx context.Context, p flavours.Phase) error {
	hooks := r.phaseHooks(p)
	if len(hooks) == 0 {
		return nil
	}
	r.logf("==> %s.d: %d hook(s)", p.Name, len(hooks))
	_, err := r.runHooks(ctx, p, hooks, nil)
	return err
}

// RunHooks runs the hooks of p, a phase that runs outside the image after
// the tree is built (block-device), for an output stage: with the hooks'
// environment plus env, the before- and after- break points around them
// and the after-error one on failure. Their times join Result.Hooks. It
// returns each hook's result, with its standard output when the phase
// captures it.
func (r *Root) RunHooks(ctx context.Context, p flavours.Phase, env ...string) ([]nsrun.Result, error) {
	r.breakAt(ctx, "before-"+p.Name, p)
	hooks := r.Plan.Flavours.Hooks(p)
	if len(hooks) > 0 {
		r.logf("==> %s.d: %d hook(s)", p.Name, len(hooks))
	}
	results, err := r.runHooks(ctx, p, hooks, env)
	if err != nil {
		if ctx.Err() == nil {
			r.breakOnError(ctx, p)
		}
		return nil, err
	}
	r.breakAt(ctx, "after-"+p.Name, p)
	return results, nil
}

// runHooks runs hooks of phase p in one namespace job, recording times.
func (r *Root) runHooks(ctx context.Context, p flavours.Phase, hooks []flavours.Hook, extraEnv []string) ([]nsrun.Result, error) {
	if len(hooks) == 0 {
		return nil, nil
	}
	hooksPath, targetRoot := r.hooksDir, r.Tree
	if p.InChroot {
		hooksPath, targetRoot = chroot.HooksTarget, "/"
	}
	var steps []nsrun.Step
	for _, h := range hooks {
		host := filepath.Join(r.hooksDir, p.Dir(), h.Name)
		inJob := filepath.Join(hooksPath, p.Dir(), h.Name)
		steps = append(steps, nsrun.Step{Label: h.Label(), Argv: hookArgv(host, inJob, r.Plan.Spec.Trace), Capture: p == flavours.BlockDevice})
	}
	envFiles, loader := r.envFiles(hooksPath)
	job := r.job(p.InChroot, r.hookEnv(p.InChroot, targetRoot, hooksPath, extraEnv...), envFiles, steps)
	job.EnvLoader = loader
	results, err := nsrun.Run(ctx, job, r.log)
	for _, res := range results {
		r.Hooks = append(r.Hooks, Timing{res.Label, res.Duration})
		r.logf("%s: done in %.2fs", res.Label, res.Duration.Seconds())
	}
	return results, err
}

// job is the namespace job of steps: inside the prepared tree, or outside
// it in the build directory.
func (r *Root) job(inChroot bool, env, envFiles []string, steps []nsrun.Step) nsrun.Job {
	if inChroot {
		return r.chroot.Job(env, envFiles, steps)
	}
	return nsrun.Job{Env: env, EnvFiles: envFiles, Steps: steps, Dir: r.Dir}
}

// hookArgv is how a hook is run: directly, or with -x through its shell
// when tracing and the hook is a sh or bash script.
func hookArgv(hostPath, jobPath string, trace bool) []string {
	if !trace {
		return []string{jobPath}
	}
	fh, err := os.Open(hostPath)
	if err != nil {
		return []string{jobPath}
	}
	defer fh.Close()
	line, _ := bufio.NewReader(fh).ReadString('\n') // a short or empty first line is read as it is
	fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(line), "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return []string{jobPath}
	}
	interp := fields
	if strings.HasSuffix(fields[0], "/env") && len(fields) > 1 {
		interp = fields[1:]
	}
	switch base := interp[0][strings.LastIndex(interp[0], "/")+1:]; base {
	case "sh", "bash", "dash":
		return append(append(append([]string(nil), interp...), "-x"), jobPath)
	}
	return []string{jobPath}
}

// installPackages installs the packages given with -p, refreshing apt's
// lists only when the cached ones are too old for the mirror.
func (r *Root) installPackages(ctx context.Context) error {
	pkgs := r.Plan.Spec.Packages
	if len(pkgs) == 0 {
		return nil
	}
	r.logf("==> packages: %s", strings.Join(pkgs, " "))
	defer logx.Progress(r.log, "installing packages")()
	script := `apt-get install -y -q -- "$@" || { apt-get update -q && apt-get install -y -q -- "$@"; }`
	argv := append([]string{"/bin/sh", "-c", script, "dib-packages"}, pkgs...)
	env := r.hookEnv(true, "/", chroot.HooksTarget)
	_, err := nsrun.Run(ctx, r.chroot.Job(env, nil, []nsrun.Step{{Label: "packages", Argv: argv}}), r.log)
	return err
}
