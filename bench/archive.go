package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/rootfs"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/archive/archivetest"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// ArchiveRatioTarget is the goal for a warm image:vm that asks the
// archive whether it moved (and finds it did not): at most this many
// times the one that does not ask (--offline, as builds were before they
// asked), measured in the same run.
const ArchiveRatioTarget = 1.1

// archiveCheck times the warm image:vm asking the archive (unchanged)
// and with --offline, alternately, after the same hook change; then,
// from a base with an extra local suite, the warm build after one package
// of it changed (the cached base upgraded). The asking series is
// returned; a note gives the ratio.
func (r *runner) archiveCheck(ctx context.Context) *Series {
	s := &Series{Name: "warm: image:vm, archive asked (unchanged)"}
	off := &Series{Name: "warm: image:vm --offline (archive not asked)"}
	zstd := &Series{Name: "warm: image:vm --offline, qcow2 zstd (the default before zlib)"}
	r.rep.Series = append(r.rep.Series, off, zstd)
	fp, hook, orig, err := r.vmHook(ctx)
	if err != nil {
		s.Err = err
		return s
	}
	for i := range r.c.Counts.Warm {
		for _, series := range []*Series{s, off, zstd} {
			r.measure(ctx, series, 1, func(int) ([]Timing, error) {
				if err := os.WriteFile(hook, fmt.Appendf(orig, "# changed for bench run %d (%s)\n", i+1, series.Name), 0o755); err != nil {
					return nil, err
				}
				spec := r.vmSpec(r.work, r.cache, []string{fp})
				spec.Offline = series != s
				if series == zstd {
					spec.QCOW2Compression = "zstd"
				}
				return r.buildVM(ctx, spec)
			})
		}
		if s.Err != nil || off.Err != nil || zstd.Err != nil {
			break
		}
	}
	if len(s.Totals) > 0 && len(off.Totals) > 0 {
		s.Target = time.Duration(float64(off.Median()) * ArchiveRatioTarget)
		ratio := s.Median().Seconds() / off.Median().Seconds()
		r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("warm image:vm asking the archive / not asking (medians, same run): %.2f (target ≤ %.1f): %s",
			ratio, ArchiveRatioTarget, verdict(true, ratio <= ArchiveRatioTarget)))
	}
	if len(off.Totals) > 0 && len(zstd.Totals) > 0 {
		r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("warm image:vm with its zlib qcow2 / with a zstd qcow2 (medians, same run): %.2f",
			off.Median().Seconds()/zstd.Median().Seconds()))
	}
	r.rep.Series = append(r.rep.Series, r.archiveMoved(ctx, fp))
	return s
}

// archiveMoved times the warm image:vm of a base with an extra local
// suite (a signed repository on loopback) after a new version of its one
// package was published before every run: each build upgrades the cached
// base. The first build, which makes that base, is not counted.
func (r *runner) archiveMoved(ctx context.Context, fp string) (s *Series) {
	s = &Series{Name: "warm: image:vm after one package changed in the archive"}
	t := newBenchTB(r.work)
	defer t.cleanup()
	defer func() {
		if f := recover(); f != nil {
			fe, ok := f.(benchFatal)
			if !ok {
				panic(f)
			}
			s.Err = fe.err
		}
	}()
	signer := archivetest.NewSigner(t)
	repo := archivetest.NewRepo(t, signer)
	repo.AddPackage(t, "dibtest-hello", "1")
	repo.Publish(t, "local", "amd64")
	keyring := filepath.Join(t.TempDir(), "repo.asc")
	if err := os.WriteFile(keyring, signer.Keyring(t, true), 0o644); err != nil {
		s.Err = err
		return s
	}
	mirror := bootstrap.HostMirror()
	sec, err := archive.SecurityMirrorOf(mirror)
	if err != nil {
		s.Err = err
		return s
	}
	flv := filepath.Join(fp, "bench-hello")
	if err := os.MkdirAll(flv, 0o755); err != nil {
		s.Err = err
		return s
	}
	if err := os.WriteFile(filepath.Join(flv, "bootstrap-packages"), []byte("dibtest-hello\n"), 0o644); err != nil {
		s.Err = err
		return s
	}
	conf := strings.Join([]string{"debian:deb " + mirror + " trixie main", "updates:deb " + mirror + " trixie-updates main",
		"security:deb " + sec + " trixie-security main", "local:" + repo.Line("local")}, "\n")
	spec := func() images.Spec {
		sp := r.vmSpec(r.work, r.cache, []string{fp})
		sp.Flavours = append(append([]string{}, sp.Flavours...), "bench-hello")
		sp.Apt = rootfs.Apt{SourcesConf: conf, Keyring: keyring}
		return sp
	}
	if _, err := r.buildVM(ctx, spec()); err != nil {
		s.Err = fmt.Errorf("make the base with the local suite: %w", err)
		return s
	}
	return r.measureOwn(ctx, s, r.c.Counts.Warm, func(i int) (time.Duration, []Timing, error) {
		repo.AddPackage(t, "dibtest-hello", fmt.Sprint(i+2))
		repo.Publish(t, "local", "amd64")
		t0 := time.Now()
		phases, err := r.buildVM(ctx, spec())
		return time.Since(t0), phases, err
	})
}

// benchFatal is how a helper's fatal error leaves it in a benchmark.
type benchFatal struct{ err error }

// benchTB gives archivetest's helpers what they need outside a test.
type benchTB struct {
	dir      string
	n        int
	cleanups []func()
}

func newBenchTB(dir string) *benchTB { return &benchTB{dir: dir} }

func (b *benchTB) Helper()                   {}
func (b *benchTB) Fatal(args ...any)         { panic(benchFatal{errors.New(fmt.Sprint(args...))}) }
func (b *benchTB) Fatalf(f string, a ...any) { panic(benchFatal{fmt.Errorf(f, a...)}) }
func (b *benchTB) Errorf(f string, a ...any) { panic(benchFatal{fmt.Errorf(f, a...)}) }
func (b *benchTB) Cleanup(f func())          { b.cleanups = append(b.cleanups, f) }

// TempDir is a new directory in the run's work directory.
func (b *benchTB) TempDir() string {
	b.n++
	d := filepath.Join(b.dir, fmt.Sprintf("archive-%d", b.n))
	if err := os.MkdirAll(d, 0o755); err != nil {
		b.Fatal(err)
	}
	return d
}

// cleanup runs the cleanups, last first.
func (b *benchTB) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
}
