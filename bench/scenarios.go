package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/images/kernel"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// vmSpec is the image:vm recipe writing into dir from cache.
func (r *runner) vmSpec(dir, cache string, flavoursPath []string) images.Spec {
	return images.Spec{Name: filepath.Join(dir, "vm"), Flavours: VMFlavours, CacheDir: cache,
		FlavoursPath: flavoursPath, Overwrite: true, Log: r.c.Log}
}

// buildVM builds image:vm and returns its phase times.
func (r *runner) buildVM(ctx context.Context, spec images.Spec) ([]Timing, error) {
	p, err := spec.Plan()
	if err != nil {
		return nil, err
	}
	res, err := p.Build(ctx)
	ph := timings(res.Phases)
	if res.Stamping > 0 {
		ph = append(ph, Timing{StampPhase, res.Stamping})
	}
	return ph, err
}

// coldEmpty builds image:vm from an empty cache: the base and every
// package are downloaded.
func (r *runner) coldEmpty(ctx context.Context) *Series {
	s := &Series{Name: "cold: empty cache incl. packages", Target: ColdTarget}
	return r.measure(ctx, s, r.c.Counts.Cold, func(int) ([]Timing, error) {
		cache, err := r.mkdir("cache-empty-")
		if err != nil {
			return nil, err
		}
		phases, err := r.buildVM(ctx, r.vmSpec(r.work, cache, nil))
		if err != nil {
			os.RemoveAll(cache)
			return phases, err
		}
		// The warm scenarios use the last cache made (see Config.CacheDir).
		if r.cache != r.c.CacheDir {
			os.RemoveAll(r.cache)
		}
		r.cache, r.primed = cache, true
		return phases, nil
	})
}

// coldBase builds image:vm from a cache holding the downloaded packages
// but no base: the base is made again, from the mirror's indexes.
func (r *runner) coldBase(ctx context.Context) *Series {
	s := &Series{Name: "cold base, package cache warm", Target: ColdTarget}
	if r.c.Counts.Cold == 0 {
		return s
	}
	if err := r.prime(ctx); err != nil {
		s.Err = err
		return s
	}
	return r.measure(ctx, s, r.c.Counts.Cold, func(int) ([]Timing, error) {
		cache, err := r.mkdir("cache-debs-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(cache)
		if _, err := run.Run(ctx, run.Cmd{Argv: []string{"cp", "-a", filepath.Join(r.cache, "debs"), cache}}); err != nil {
			return nil, fmt.Errorf("copy package cache: %w", err)
		}
		return r.buildVM(ctx, r.vmSpec(r.work, cache, nil))
	})
}

// warm rebuilds image:vm from the warm cache, changing the vm flavour's
// hook (a copy along FLAVOURS_PATH) before every run.
func (r *runner) warm(ctx context.Context) *Series {
	s := &Series{Name: "warm: image:vm after a hook changed", Target: WarmTarget}
	fp, hook, orig, err := r.vmHook(ctx)
	if err != nil {
		s.Err = err
		return s
	}
	s = r.measure(ctx, s, r.c.Counts.Warm, func(i int) ([]Timing, error) {
		changed := fmt.Appendf(orig, "# changed for bench run %d\n", i+1)
		if err := os.WriteFile(hook, changed, 0o755); err != nil {
			return nil, fmt.Errorf("change hook %s: %w", hook, err)
		}
		return r.buildVM(ctx, r.vmSpec(r.work, r.cache, []string{fp}))
	})
	if len(s.Totals) > 0 {
		r.qcow2 = filepath.Join(r.work, "vm.qcow2")
		r.addSize("image:vm qcow2", r.qcow2, QCOW2Limit)
		base, err := baseOptions(r.cache)
		if err != nil {
			s.Err = err
			return s
		}
		r.addSize("base (cached tarball)", base.Path(), 0)
	}
	return s
}

// ramdisk builds the deploy ramdisk from the warm cache.
func (r *runner) ramdisk(ctx context.Context) *Series {
	s := &Series{Name: "warm: ramdisk (deploy)", Target: RamdiskTarget}
	if err := r.prime(ctx); err != nil {
		s.Err = err
		return s
	}
	name := filepath.Join(r.work, "deploy")
	build := func() ([]Timing, error) {
		p, err := ramdisk.Spec{Name: name, Flavours: []string{"deploy"}, CacheDir: r.cache, Overwrite: true, Log: r.c.Log}.Plan()
		if err != nil {
			return nil, err
		}
		res, err := p.Build(ctx)
		if res == nil {
			return nil, err
		}
		return timings(res.Phases), err
	}
	// A first build fills the package cache with what the hooks install.
	fmt.Fprintf(r.c.Progress, "bench: warming the package cache with a ramdisk build (not timed)\n")
	if _, err := build(); err != nil {
		s.Err = err
		return s
	}
	s = r.measure(ctx, s, r.c.Counts.Warm, func(int) ([]Timing, error) { return build() })
	if len(s.Totals) > 0 {
		r.addSize("deploy ramdisk kernel", name+".kernel", 0)
		r.addSize("deploy ramdisk initramfs", name+".initramfs", 0)
	}
	return s
}

// getKernel runs disk-image-get-kernel on the warm build's qcow2 (making
// one, untimed, when the warm scenario did not run).
func (r *runner) getKernel(ctx context.Context) *Series {
	s := &Series{Name: "disk-image-get-kernel (qcow2)", Target: KernelTarget}
	if err := r.ensureVM(ctx, "disk-image-get-kernel"); err != nil {
		s.Err = err
		return s
	}
	out, err := r.mkdir("kernel-")
	if err != nil {
		s.Err = err
		return s
	}
	var res kernel.Result
	s = r.measure(ctx, s, r.c.Counts.Warm, func(int) ([]Timing, error) {
		res, err = kernel.Extract(ctx, kernel.Options{Image: r.qcow2, Dir: out})
		return nil, err
	})
	if len(s.Totals) > 0 {
		r.addSize("vmlinuz from the qcow2", res.Kernel, 0)
		r.addSize("initrd from the qcow2", res.Initrd, 0)
	}
	return s
}

// ensureVM builds image:vm, untimed, when the warm scenario did not run.
func (r *runner) ensureVM(ctx context.Context, why string) error {
	if r.qcow2 != "" {
		return nil
	}
	if err := r.prime(ctx); err != nil {
		return err
	}
	fmt.Fprintf(r.c.Progress, "bench: building image:vm for %s (not timed)\n", why)
	if _, err := r.buildVM(ctx, r.vmSpec(r.work, r.cache, nil)); err != nil {
		return err
	}
	r.qcow2 = filepath.Join(r.work, "vm.qcow2")
	r.addSize("image:vm qcow2", r.qcow2, QCOW2Limit)
	return nil
}
