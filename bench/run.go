package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/rootfs"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// Targets on the reference machine (2 cores), from the performance issue.
const (
	ColdTarget    = 60 * time.Second
	WarmTarget    = 10 * time.Second
	RamdiskTarget = 5 * time.Second
	KernelTarget  = 2 * time.Second
	QCOW2Limit    = 300 << 20
)

// Config says what to measure and where.
type Config struct {
	Counts Counts
	Only   []string // scenarios to run; empty means all
	// CacheDir is the warm cache when no cold scenario runs; default
	// rootfs.DefaultCacheDir(). After a cold scenario, the warm ones use
	// the cache it made, so that the run is self-contained and builds of
	// other users of CacheDir do not take its locks.
	CacheDir string
	WorkDir  string    // where outputs and cold caches go; default os.TempDir()
	Log      io.Writer // the builds' logs; default io.Discard
	Progress io.Writer // a line a run; default io.Discard
}

// runner holds one benchmark run.
type runner struct {
	c      Config
	work   string // this run's directory, removed at the end
	rep    *Report
	cache  string // the warm cache
	primed bool   // the warm cache has its base
	qcow2  string // image:vm output of the warm scenario
}

// Run measures the scenarios c names and returns the report. A scenario
// that fails is marked in the report and the others still run; only a
// cancelled ctx or a broken work directory ends Run with an error.
func Run(ctx context.Context, c Config) (*Report, error) {
	if c.CacheDir == "" {
		c.CacheDir = rootfs.DefaultCacheDir()
	}
	if c.WorkDir == "" {
		c.WorkDir = os.TempDir()
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	if c.Progress == nil {
		c.Progress = io.Discard
	}
	if len(c.Only) == 0 {
		c.Only = Scenarios
	}
	work, err := os.MkdirTemp(c.WorkDir, "dib-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench work directory: %w", err)
	}
	defer os.RemoveAll(work)
	r := &runner{c: c, work: work, cache: c.CacheDir, rep: &Report{Title: "diskimage-builder benchmark"}}
	r.rep.Notes = append(r.rep.Notes, hostNote(), "load average before: "+loadAvg(),
		fmt.Sprintf("runs: cold=%d warm=%d; figures are medians (wall clock; phases as images.Build reports them)", c.Counts.Cold, c.Counts.Warm))
	scenarios := map[string]func(context.Context) *Series{
		ColdEmpty: r.coldEmpty, ColdBase: r.coldBase, Warm: r.warm, Ramdisk: r.ramdisk, GetKernel: r.getKernel,
		BootSSH: r.bootSSH, Unpriv: r.unprivileged, Archive: r.archiveCheck,
	}
	for _, name := range Scenarios {
		if !slices.Contains(c.Only, name) {
			continue
		}
		s := scenarios[name](ctx)
		r.rep.Series = append(r.rep.Series, s)
		if err := ctx.Err(); err != nil {
			return r.rep, err
		}
	}
	r.rep.Notes = append(r.rep.Notes, "load average after: "+loadAvg())
	return r.rep, nil
}

// measure runs fn n times into s, printing a line a run; the first error
// stops it and is kept in s.
func (r *runner) measure(ctx context.Context, s *Series, n int, fn func(i int) ([]Timing, error)) *Series {
	return r.measureOwn(ctx, s, n, func(i int) (time.Duration, []Timing, error) {
		t0 := time.Now()
		phases, err := fn(i)
		return time.Since(t0), phases, err
	})
}

// measureOwn is measure for a scenario that times its total itself (the
// part of a run that counts, without its set-up).
func (r *runner) measureOwn(ctx context.Context, s *Series, n int, fn func(i int) (time.Duration, []Timing, error)) *Series {
	for i := range n {
		if ctx.Err() != nil {
			s.Err = ctx.Err()
			return s
		}
		cpu0 := cpuTime()
		took, phases, err := fn(i)
		cpu := cpuTime() - cpu0
		if err != nil {
			s.Err = err
			fmt.Fprintf(r.c.Progress, "bench: %s %d/%d failed: %v\n", s.Name, i+1, n, err)
			return s
		}
		s.Add(took, phases)
		s.CPU = append(s.CPU, cpu)
		fmt.Fprintf(r.c.Progress, "bench: %s %d/%d: %s (CPU %s)\n", s.Name, i+1, n, secs(took), secs(cpu))
	}
	return s
}

// prime makes sure the warm cache holds the base, untimed.
func (r *runner) prime(ctx context.Context) error {
	if r.primed {
		return nil
	}
	o, err := baseOptions(r.cache)
	if err != nil {
		return err
	}
	if _, err := os.Stat(o.Path()); err != nil {
		fmt.Fprintf(r.c.Progress, "bench: making the base in %s first (not timed)\n", r.cache)
	}
	if _, err := bootstrap.Ensure(ctx, o, nil, r.c.Log); err != nil {
		return fmt.Errorf("prime cache %s: %w", r.cache, err)
	}
	r.primed = true
	return nil
}

// baseOptions are the base image:vm builds from cache, as its plan
// picks it.
func baseOptions(cache string) (bootstrap.Options, error) {
	p, err := rootfs.Spec{Flavours: VMFlavours, CacheDir: cache}.Plan()
	if err != nil {
		return bootstrap.Options{}, fmt.Errorf("plan image:vm: %w", err)
	}
	return p.Base(), nil
}

// VMFlavours are the flavours of the image:vm recipe.
var VMFlavours = []string{"base", "vm", "local-config"}

// timings converts a build's phase times.
func timings(phases []rootfs.Timing) []Timing {
	out := make([]Timing, 0, len(phases))
	for _, p := range phases {
		out = append(out, Timing{p.Name, p.Duration})
	}
	return out
}

func (r *runner) addSize(name, path string, limit int64) {
	if fi, err := os.Stat(path); err == nil {
		r.rep.Sizes = append(r.rep.Sizes, Size{Name: name, Bytes: fi.Size(), Limit: limit})
	}
}

// cpuTime is the user and system time this process and its waited-for
// children used so far: unlike wall clock time, it does not grow when
// other work shares the machine.
func cpuTime() time.Duration {
	var total time.Duration
	for _, who := range []int{unix.RUSAGE_SELF, unix.RUSAGE_CHILDREN} {
		var ru unix.Rusage
		if unix.Getrusage(who, &ru) == nil {
			total += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	return total
}

// hostNote describes the machine.
func hostNote() string {
	mem := "?"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(data), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s; %d CPUs, %s RAM; build dir in %s", time.Now().Format(time.RFC3339), runtime.NumCPU(), mem, rootfs.DefaultTmpDir())
}

// loadAvg is the 1, 5 and 15 minute load averages.
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// mkdir makes a new directory under the run's directory.
func (r *runner) mkdir(pattern string) (string, error) {
	d, err := os.MkdirTemp(r.work, pattern)
	if err != nil {
		return "", fmt.Errorf("bench directory: %w", err)
	}
	return d, nil
}
