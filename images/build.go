package images

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images/bootstrap"
	"github.com/tripleo/diskimage-builder/images/chroot"
	"github.com/tripleo/diskimage-builder/internal/janitor"
	"github.com/tripleo/diskimage-builder/internal/logx"
	"github.com/tripleo/diskimage-builder/internal/nsrun"
	"github.com/tripleo/diskimage-builder/internal/workdir"
)

// Result is what a build made and how long each part took.
type Result struct {
	Outputs  []string      // the files written, in the order of Spec.Types
	Phases   []Timing      // every phase, in order
	Hooks    []Timing      // every hook that ran, in order
	Duration time.Duration // the whole build
	BuildDir string        // set when Spec.KeepBuildDir kept it
	RootUUID string        // UUID of the root filesystem of disk outputs
}

// Timing is how long one named step took.
type Timing struct {
	Name     string
	Duration time.Duration
}

// builder holds the state of one build.
type builder struct {
	spec     Spec
	set      *flavours.Set
	log      io.Writer
	dir      string // build directory
	rootDir  string // the image root inside it
	hooksDir string // merged hooks inside it
	root     *chroot.Root
	jan      *janitor.Janitor
	phase    string
	res      Result
	// finish, when set, replaces the phases after post-install (see
	// BuildRoot).
	finish func(context.Context, *Work) error
	// rootKey names the root in the root cache (BuildRoot only); cached
	// says it came from there, so the hook phases are skipped.
	rootKey string
	cached  bool
}

// Build builds the image spec describes. Problems with the spec itself are
// returned as *InputError before anything is created; a cancelled ctx
// gives an *InterruptedError naming the phase. On any failure the build
// directory is removed (unless kept) and no output is left at its final
// path; older outputs stay as they were.
func Build(ctx context.Context, spec Spec) (*Result, error) {
	return build(ctx, spec, nil)
}

func build(ctx context.Context, spec Spec, finish func(context.Context, *Work) error) (*Result, error) {
	s := spec.withDefaults()
	if err := s.Validate(); err != nil {
		return nil, &InputError{err}
	}
	set, err := flavours.Resolve(s.Flavours, s.FlavoursPath)
	if err != nil {
		return nil, &InputError{err}
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("building an image needs root (hooks run as root in the image); run it with sudo")
	}
	b := &builder{spec: s, set: set, log: s.Log, finish: finish, phase: "bootstrap"}
	start := time.Now()
	err = b.run(ctx)
	b.res.Duration = time.Since(start)
	if err != nil && ctx.Err() != nil {
		err = &InterruptedError{Phase: b.phase, Err: err}
	}
	return &b.res, err
}

func (b *builder) logf(format string, args ...any) {
	fmt.Fprintf(b.log, format+"\n", args...)
}

func (b *builder) run(ctx context.Context) (err error) {
	b.jan, err = janitor.Start()
	if err != nil {
		return err
	}
	defer b.jan.Done()
	if err := os.MkdirAll(b.spec.TmpDir, 0o755); err != nil {
		return fmt.Errorf("build directory: %w", err)
	}
	b.dir, err = os.MkdirTemp(b.spec.TmpDir, "dib-build-")
	if err != nil {
		return fmt.Errorf("build directory: %w", err)
	}
	b.jan.Add(b.dir)
	defer func() {
		if b.spec.KeepBuildDir {
			b.jan.Forget(b.dir)
			b.res.BuildDir = b.dir
			b.logf("build directory kept: %s", b.dir)
			return
		}
		if rerr := workdir.Remove(b.dir); rerr != nil {
			err = errors.Join(err, rerr)
		} else {
			b.jan.Forget(b.dir)
		}
	}()
	b.rootDir = filepath.Join(b.dir, "root")
	b.hooksDir = filepath.Join(b.dir, "hooks")
	b.logf("building %s from flavours %v (%s/%s)", b.spec.Name, b.set.Names(), b.spec.Release, b.spec.Arch)

	steps := []struct {
		name string
		fn   func(context.Context) error
	}{
		{"bootstrap", b.bootstrap},
		{"extra-data", b.hookPhase(flavours.ExtraData)},
		{"pre-install", b.hookPhase(flavours.PreInstall)},
		{"packages", b.installPackages},
		{"install", b.hookPhase(flavours.Install)},
		{"post-install", b.hookPhase(flavours.PostInstall)},
		{"first-boot", b.installFirstBoot},
		{"finalise", b.hookPhase(flavours.Finalise)},
		{"cleanup", b.hookPhase(flavours.Cleanup)},
		{"blank-slate", b.blankSlate},
		{"outputs", b.writeOutputs},
	}
	if b.finish != nil {
		// BuildRoot: the phases up to post-install, then the caller's.
		steps = append(steps[:6], struct {
			name string
			fn   func(context.Context) error
		}{"assemble", b.runFinish})
	}
	for _, st := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.phase = st.name
		phase, isHookPhase := flavours.PhaseByName(st.name)
		if isHookPhase {
			b.breakAt(ctx, "before-"+st.name, phase)
		}
		t0 := time.Now()
		err := st.fn(ctx)
		b.res.Phases = append(b.res.Phases, Timing{st.name, time.Since(t0)})
		if err != nil {
			if ctx.Err() == nil {
				b.breakAt(ctx, "after-error", b.errorPhase(st.name))
			}
			return fmt.Errorf("phase %s: %w", st.name, err)
		}
		if isHookPhase {
			b.breakAt(ctx, "after-"+st.name, phase)
		}
	}
	b.phase = "done"
	b.summary()
	return nil
}

// bootstrap unpacks the cached base root (making it first on a miss) and
// prepares the root and the merged hooks.
func (b *builder) bootstrap(ctx context.Context) (err error) {
	o := b.baseOptions()
	defer logx.Progress(b.log, "bootstrap")()
	tarball, err := bootstrap.Ensure(ctx, o, b.log)
	if err != nil {
		return err
	}
	if b.finish != nil && !b.spec.NoRootCache {
		// After Ensure: the key names the base tarball it starts from.
		if b.rootKey, err = b.fingerprintRoot(); err != nil {
			return err
		}
		if b.cached, err = b.cachedRoot(ctx, b.rootKey); b.cached || err != nil {
			return err
		}
	}
	if err := bootstrap.Unpack(ctx, tarball, b.rootDir); err != nil {
		return err
	}
	if err := b.checkSizeEarly(); err != nil {
		return err
	}
	if err := os.MkdirAll(b.hooksDir, 0o755); err != nil {
		return err
	}
	if err := b.set.WriteTree(b.hooksDir); err != nil {
		return err
	}
	b.root, err = chroot.Prepare(b.rootDir, b.hooksDir, o.DebCache(), filepath.Join(b.dir, "archives"), b.spec.Env)
	return err
}

func (b *builder) baseOptions() bootstrap.Options { return baseOptions(b.spec, b.set) }

// hookPhase returns the step that runs phase p's hooks.
func (b *builder) hookPhase(p flavours.Phase) func(context.Context) error {
	return func(ctx context.Context) error {
		hooks := b.set.Hooks(p)
		if len(hooks) == 0 || b.cached {
			return nil
		}
		b.logf("==> %s.d: %d hook(s)", p.Name, len(hooks))
		_, err := b.runHooks(ctx, p, hooks, nil)
		return err
	}
}

// runHooks runs hooks of phase p in one namespace job, recording times.
func (b *builder) runHooks(ctx context.Context, p flavours.Phase, hooks []flavours.Hook, extraEnv []string) ([]nsrun.Result, error) {
	hooksPath, targetRoot := b.hooksDir, b.rootDir
	if p.InChroot {
		hooksPath, targetRoot = chroot.HooksTarget, "/"
	}
	var steps []nsrun.Step
	for _, h := range hooks {
		host := filepath.Join(b.hooksDir, p.Dir(), h.Name)
		inJob := filepath.Join(hooksPath, p.Dir(), h.Name)
		steps = append(steps, nsrun.Step{Label: h.Label(), Argv: hookArgv(host, inJob, b.spec.Trace), Capture: p == flavours.BlockDevice})
	}
	var envFiles []string
	for _, e := range b.set.EnvFiles() {
		envFiles = append(envFiles, filepath.Join(hooksPath, "environment.d", e.Name))
	}
	env := b.hookEnv(p.InChroot, targetRoot, hooksPath, extraEnv...)
	var job nsrun.Job
	if p.InChroot {
		job = b.root.Job(env, envFiles, steps)
	} else {
		job = nsrun.Job{Env: env, EnvFiles: envFiles, Steps: steps, Dir: b.dir}
	}
	results, err := nsrun.Run(ctx, job, b.log)
	for _, r := range results {
		b.res.Hooks = append(b.res.Hooks, Timing{r.Label, r.Duration})
		b.logf("%s: done in %.2fs", r.Label, r.Duration.Seconds())
	}
	return results, err
}

// errorPhase is where an after-error break point opens for a failure in
// step name: in the image for chroot phases, outside otherwise.
func (b *builder) errorPhase(name string) flavours.Phase {
	if p, ok := flavours.PhaseByName(name); ok {
		return p
	}
	if name == "packages" || name == "first-boot" {
		return flavours.Install
	}
	return flavours.Cleanup
}
