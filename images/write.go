package images

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/tripleo/diskimage-builder/images/format"
	"github.com/tripleo/diskimage-builder/images/imageprops"
	"github.com/tripleo/diskimage-builder/internal/sys/outputs"
	"github.com/tripleo/diskimage-builder/rootfs"
)

// writer is the disk stage of one build: it writes a built root out.
type writer struct {
	root  *rootfs.Root
	plan  *Plan
	set   *outputs.Set
	phase string // "outputs" or "block-device", for InterruptedError
	res   *Result
	jobs  []outputJob // every output, in the order of the types
	// uploads are the openstack commands that upload the disk outputs.
	uploads []string

	mu       sync.Mutex
	stamping time.Duration // see Result.Stamping
}

// Write is the disk stage: it writes the built root as every type p asks
// for, under temporary names beside their destinations, then places them
// all (see outputs.Set). The raw disk is made once; then the conversions,
// tars and checksums, which only read it and the tree, run at the same
// time. A tar listed before every disk type is written before the disk is
// made, as it does not hold the boot files the disk writes into the tree.
// The bill of materials (NAME.cdx.json, see package sbom) is written last
// and placed with them. The Result's phases are the root's and this
// stage's ("outputs", "sbom").
func Write(ctx context.Context, root *rootfs.Root, p *Plan) (res *Result, err error) {
	ctx = root.Plan.Traced(ctx)
	w := &writer{root: root, plan: p, set: outputs.NewSet(root.Janitor, p.Spec.Owner), phase: "outputs", res: &Result{}}
	start := time.Now()
	err = w.write(ctx)
	err = errors.Join(err, w.set.Discard())
	var sbomTime time.Duration
	for _, t := range w.res.Phases {
		sbomTime += t.Duration
	}
	w.res.Phases = append(append([]Timing(nil), root.Phases...), Timing{Name: "outputs", Duration: time.Since(start) - sbomTime})
	if sbomTime > 0 {
		w.res.Phases = append(w.res.Phases, Timing{Name: "sbom", Duration: sbomTime})
	}
	w.res.Hooks, w.res.Stamping = root.Hooks, w.stamping
	if err != nil {
		w.res.Outputs = nil
		root.BreakOnError(ctx)
		return w.res, rootfs.Interrupted(ctx.Err(), w.phase, fmt.Errorf("phase %s: %w", w.phase, err))
	}
	rootfs.Summary(p.Spec.Log, w.res.Phases, w.res.Hooks)
	for _, c := range w.uploads {
		w.logf("upload to the image service: %s", c)
	}
	return w.res, nil
}

func (w *writer) logf(format string, args ...any) {
	fmt.Fprintf(w.plan.Spec.Log, format+"\n", args...)
}

func (w *writer) write(ctx context.Context) error {
	var early, late []outputJob // before and after the disk is made
	for _, t := range w.plan.Spec.Types {
		job := outputJob{typ: t, final: w.plan.Spec.Output(t)}
		var err error
		if job.tmp, err = w.set.Temp(job.final); err != nil {
			return err
		}
		if w.plan.Spec.Checksum {
			for _, kind := range w.plan.Spec.checksumKinds() {
				sum, err := w.set.Temp(job.final + "." + kind)
				if err != nil {
					return err
				}
				job.sums = append(job.sums, sum)
			}
		}
		if t != "tar" {
			if job.props, err = w.set.Temp(job.final + imageprops.Suffix); err != nil {
				return err
			}
		}
		if t == "tar" && len(late) == 0 {
			early = append(early, job)
		} else {
			late = append(late, job)
		}
		w.res.Outputs = append(w.res.Outputs, job.final)
		w.jobs = append(w.jobs, job)
	}
	if err := w.runJobs(ctx, early, ""); err != nil {
		return err
	}
	if len(late) > 0 {
		raw, err := w.makeDisk(ctx)
		if err != nil {
			return err
		}
		if err := w.runJobs(ctx, late, raw); err != nil {
			return err
		}
		if err := w.writeProperties(late); err != nil {
			return err
		}
	}
	t0 := time.Now()
	if err := w.writeSBOM(); err != nil {
		return err
	}
	w.res.Phases = []Timing{{Name: "sbom", Duration: time.Since(t0)}} // read by Write
	return w.set.Place(w.plan.Spec.Overwrite)
}

// outputJob is one output to write into its temporary file, with its
// checksum files.
type outputJob struct {
	typ, final, tmp string
	sums            []string // temporary checksum files, as outputs.ChecksumKinds
	props           string   // temporary image properties file (disk types)
}

// runJobs writes jobs at the same time (converting from raw for the disk
// types); the first failure cancels the others and is returned.
func (w *writer) runJobs(ctx context.Context, jobs []outputJob, raw string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for _, job := range jobs {
		w.logf("==> output %s", job.final)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.writeOutput(ctx, job, raw); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	return first
}

// writeOutput writes one output and its checksums.
func (w *writer) writeOutput(ctx context.Context, job outputJob, raw string) error {
	var err error
	if job.typ == "tar" {
		err = format.Tar(ctx, w.root.Tree, job.tmp, w.root.Epoch)
	} else if err = format.ConvertWith(ctx, raw, job.tmp, job.typ, w.plan.compression, w.plan.Spec.QemuImgOptions); err == nil {
		t0 := time.Now()
		err = format.Stamp(job.tmp, job.typ, w.stamps(job.final))
		w.addStamping(time.Since(t0))
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", job.final, err)
	}
	for i, sum := range job.sums {
		if err := outputs.WriteChecksum(job.tmp, filepath.Base(job.final), w.plan.Spec.checksumKinds()[i], sum); err != nil {
			return err
		}
	}
	return nil
}
