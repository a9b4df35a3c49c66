package rootfs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/logx"
	"github.com/tripleo/diskimage-builder/internal/sys/userns"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
	"github.com/tripleo/diskimage-builder/rootfs/chroot"
)

// phase is one step of a root build.
type phase struct {
	name string
	// hooks is the hook phase the step runs, if any: break points
	// before-NAME and after-NAME open around it.
	hooks bool
	// where is where a break point after a failure of the step opens: in
	// the image for chroot steps, in the build directory otherwise.
	where flavours.Phase
	run   func(*Root, context.Context) error
}

// phases are the steps after the bootstrap, in the original's order:
// root.d on the unpacked base, ..., block-device.d of elements after
// post-root.d (those of flavours run on the disk, in the disk stage).
var phases = []phase{
	hookPhase(flavours.Root),
	hookPhase(flavours.ExtraData),
	hookPhase(flavours.PreInstall),
	hookPhase(flavours.Install),
	// -p's packages after install.d, as the original installs them.
	{name: "packages", where: flavours.Install, run: (*Root).installPackages},
	hookPhase(flavours.PostInstall),
	{name: "first-boot", where: flavours.Install, run: (*Root).installFirstBoot},
	hookPhase(flavours.PostRoot),
	{name: "block-device-elements", where: flavours.BlockDevice, run: (*Root).elementBlockDevice},
	hookPhase(flavours.PreFinalise),
	hookPhase(flavours.Finalise),
	hookPhase(flavours.Cleanup),
	{name: "finalise-base", where: flavours.Cleanup, run: (*Root).dibFinalise},
	{name: "archive-check", where: flavours.Cleanup, run: (*Root).checkBehind},
	{name: "blank-slate", where: flavours.Cleanup, run: (*Root).blankSlate},
	{name: "normalize", where: flavours.Cleanup, run: (*Root).normalize},
}

// bootstrapPhase unpacks the base (or the cached root) and prepares it.
var bootstrapPhase = phase{name: "bootstrap", where: flavours.Cleanup, run: (*Root).bootstrap}

// hookPhase is the step that runs the hooks of p.
func hookPhase(p flavours.Phase) phase {
	return phase{name: p.Name, hooks: true, where: p, run: func(r *Root, ctx context.Context) error {
		return r.runPhase(ctx, p)
	}}
}

// Build builds the root tree p describes in a new build directory below
// Spec.TmpDir: the base from the cache, every phase, the blank slate. The
// Root it returns is never nil and must be closed, after the outputs are
// written from it or on failure. A cancelled ctx gives an
// *InterruptedError naming the phase; any failure leaves nothing behind
// once the Root is closed. It runs as root (or root of a user namespace
// with every ID an image needs: see InUserNamespace).
func Build(ctx context.Context, p *Plan) (*Root, error) {
	r := &Root{Plan: p, log: p.Spec.Log, phase: "bootstrap"}
	if NeedsUserNamespace() {
		return r, errors.New("building a root tree needs root: as a user, images.Build and ramdisk.Build " +
			"(and the commands) run the whole build as root of a user namespace")
	}
	if err := userns.CheckRoot(); err != nil {
		return r, err
	}
	start := time.Now()
	ctx = p.Traced(ctx)
	err := r.build(ctx)
	r.Duration = time.Since(start)
	return r, Interrupted(ctx.Err(), r.phase, err)
}

func (r *Root) build(ctx context.Context) (err error) {
	s := r.Plan.Spec
	// Owned: a later build sweeps it (and what the janitor's journal in it
	// lists) if this one and its janitor are killed together.
	if r.ws, err = NewWorkspace(s.TmpDir, r.log); err != nil {
		return err
	}
	r.Dir, r.Janitor = r.ws.Dir, r.ws.Janitor
	r.sweep()
	r.Tree, r.hooksDir = filepath.Join(r.Dir, "root"), filepath.Join(r.Dir, "hooks")
	r.logf("building %s from flavours %v (%s/%s)", s.Name, r.Plan.Flavours.Names(), s.Release, s.Arch)
	if err := r.step(ctx, bootstrapPhase); err != nil || r.Cached {
		return err
	}
	for _, ph := range phases {
		if err := r.step(ctx, ph); err != nil {
			return err
		}
	}
	if s.CacheRoot {
		if err := r.step(ctx, phase{name: "root-cache", where: flavours.Cleanup, run: (*Root).saveToCache}); err != nil {
			return err
		}
	}
	r.phase = "done"
	return nil
}

// step runs one phase with its break points, recording its time.
func (r *Root) step(ctx context.Context, ph phase) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r.phase = ph.name
	if ph.hooks {
		r.breakAt(ctx, "before-"+ph.name, ph.where)
	}
	t0 := time.Now()
	err := ph.run(r, ctx)
	r.Phases = append(r.Phases, Timing{ph.name, time.Since(t0)})
	if err != nil {
		if ctx.Err() == nil {
			r.breakOnError(ctx, ph.where)
		}
		return fmt.Errorf("phase %s: %w", ph.name, err)
	}
	if ph.hooks {
		r.breakAt(ctx, "after-"+ph.name, ph.where)
	}
	return nil
}

// bootstrap unpacks the cached base root (making it first on a miss), or
// with Spec.CacheRoot the cached root of the same inputs, and prepares the
// tree and the merged hooks.
func (r *Root) bootstrap(ctx context.Context) (err error) {
	s, base := r.Plan.Spec, r.Plan.Base()
	defer logx.Progress(r.log, "bootstrap")()
	tarball, err := bootstrap.Ensure(ctx, base, r.Janitor, r.log)
	if err != nil {
		return err
	}
	if r.Archive, err = bootstrap.ArchiveState(tarball); err != nil {
		return fmt.Errorf("base %s: %w", tarball, err)
	}
	// After Ensure: the inputs name the base tarball the root starts from.
	if r.Fingerprint, err = r.Plan.Fingerprint(); err != nil {
		return err
	}
	if r.Epoch = s.SourceDateEpoch; r.Epoch.IsZero() {
		stamp, err := bootstrap.ReadStamp(tarball)
		if err != nil {
			return fmt.Errorf("base %s: %w", tarball, err)
		}
		r.Epoch = stamp.Epoch
	}
	r.logf("bootstrap: SOURCE_DATE_EPOCH=%d (%s)", r.Epoch.Unix(), r.Epoch.UTC().Format(time.RFC3339))
	if s.CacheRoot {
		if r.Cached, err = r.fromCache(ctx); r.Cached || err != nil {
			return err
		}
	}
	if err := bootstrap.Unpack(ctx, tarball, r.Tree); err != nil {
		return err
	}
	if s.CheckBase != nil {
		if err := s.CheckBase(r.Tree); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(r.hooksDir, 0o755); err != nil {
		return fmt.Errorf("merge hooks: %w", err)
	}
	if err := r.Plan.Flavours.WriteTree(r.hooksDir, s.Owner.Do); err != nil {
		return err
	}
	if err := r.prepareElements(); err != nil {
		return err
	}
	r.chroot, err = chroot.Prepare(r.Tree, r.hooksDir, base.DebCache(), filepath.Join(r.Dir, "archives"), s.Env)
	return err
}
