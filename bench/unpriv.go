package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// UnprivRatioTarget is the goal for an unprivileged warm image:vm: at most
// this many times the root build's median, measured in the same run.
const UnprivRatioTarget = 1.2

// unprivileged times the warm image:vm through disk-image-create as root
// and as testenv.BuildUser (created if missing, with subordinate IDs),
// alternately, each from a warm cache of its own with the base of the
// warm cache, after the same hook change. The root series is added to the
// report here; the user's, whose target is UnprivRatioTarget times the
// root median, is returned; a note gives the ratio.
func (r *runner) unprivileged(ctx context.Context) *Series {
	s := &Series{Name: "warm: image:vm unprivileged (disk-image-create)"}
	root := &Series{Name: "warm: image:vm as root (disk-image-create)"}
	r.rep.Series = append(r.rep.Series, root)
	u, dic, fp, hook, userCache, err := r.unprivSetup(ctx)
	if err != nil {
		s.Err = err
		return s
	}
	orig, err := os.ReadFile(hook)
	if err != nil {
		s.Err = err
		return s
	}
	userOut, err := r.userDir(u, "unpriv-out-")
	if err != nil {
		s.Err = err
		return s
	}
	build := func(series *Series, i int, cmd *exec.Cmd) error {
		changed := fmt.Appendf(orig, "# changed for bench run %d (%s)\n", i+1, series.Name)
		if err := os.WriteFile(hook, changed, 0o755); err != nil {
			return fmt.Errorf("change hook %s: %w", hook, err)
		}
		r.measure(ctx, series, 1, func(int) ([]Timing, error) {
			out, err := cmd.CombinedOutput()
			r.c.Log.Write(out)
			if err != nil {
				return nil, fmt.Errorf("%s: %w: %s", strings.Join(cmd.Args, " "), err, lastLine(out))
			}
			return nil, nil
		})
		return series.Err
	}
	args := func(out, cache string) []string {
		return append([]string{dic, "-o", filepath.Join(out, "vm"), "--overwrite", "--flavours-path", fp,
			"--image-cache", cache}, VMFlavours...)
	}
	env := []string{"DIB_LOCAL_CONFIG_AUTHORIZED_KEYS=/dev/null"}
	for i := range r.c.Counts.Warm {
		cmd := exec.CommandContext(ctx, dic, args(r.work, r.cache)[1:]...)
		cmd.Env = append(os.Environ(), env...)
		if build(root, i, cmd) != nil {
			break
		}
		if build(s, i, u.Command(ctx, env, args(userOut, userCache)...)) != nil {
			break
		}
	}
	if len(root.Totals) > 0 && len(s.Totals) > 0 {
		s.Target = time.Duration(float64(root.Median()) * UnprivRatioTarget)
		ratio := s.Median().Seconds() / root.Median().Seconds()
		r.rep.Notes = append(r.rep.Notes, fmt.Sprintf("unprivileged / root warm image:vm (medians, same run): %.2f (target ≤ %.1f): %s",
			ratio, UnprivRatioTarget, verdict(true, ratio <= UnprivRatioTarget)))
	}
	return s
}

// unprivSetup makes what the unprivileged scenario needs: the user, the
// command built where it may run it, a copy of the vm flavour to change
// (returned with its hook) and the user's cache, seeded with the base and
// packages of the warm cache.
func (r *runner) unprivSetup(ctx context.Context) (u *testenv.User, dic, fp, hook, cache string, err error) {
	if err = r.prime(ctx); err != nil {
		return
	}
	if u, err = testenv.EnsureBuildUser(); err != nil {
		return
	}
	if err = os.Chmod(r.work, 0o755); err != nil {
		return
	}
	bin, err := r.mkdir("bin-")
	if err != nil {
		return
	}
	dic = filepath.Join(bin, "disk-image-create")
	if _, err = run.Run(ctx, run.Cmd{Argv: []string{"go", "build", "-o", dic, "./cmd/disk-image-create"}}); err != nil {
		return
	}
	if fp, err = r.mkdir("unpriv-flavours-"); err != nil {
		return
	}
	if hook, err = copyFlavour("vm", fp); err != nil {
		return
	}
	for _, d := range []string{bin, fp} {
		if _, err = run.Run(ctx, run.Cmd{Argv: []string{"chmod", "-R", "a+rX", d}}); err != nil {
			return
		}
	}
	if cache, err = r.userDir(u, "unpriv-cache-"); err != nil {
		return
	}
	base, err := baseOptions(r.cache)
	if err != nil {
		return
	}
	err = seedCache(ctx, u, base.Path(), filepath.Join(r.cache, "debs"), cache)
	return
}

// userDir makes a directory under the run's directory owned by u.
func (r *runner) userDir(u *testenv.User, pattern string) (string, error) {
	d, err := r.mkdir(pattern)
	if err == nil {
		err = os.Chown(d, u.UID, u.GID)
	}
	if err == nil {
		err = os.Chmod(d, 0o755)
	}
	return d, err
}

// seedCache gives the user's cache the base tarball (with its seal) and
// the packages of root's, linked (copied across filesystems): the files
// stay root's, which the user may read; the directories are the user's.
func seedCache(ctx context.Context, u *testenv.User, base, debs, cache string) error {
	for _, d := range []string{"base", "debs"} {
		if err := os.MkdirAll(filepath.Join(cache, d), 0o755); err != nil {
			return err
		}
	}
	copies := [][]string{{base, base + ".sum", filepath.Join(cache, "base")}, {debs, filepath.Join(cache)}}
	for _, c := range copies {
		argv := append([]string{"cp", "-a", "--reflink=auto"}, c...)
		if _, err := run.Run(ctx, run.Cmd{Argv: append([]string{"cp", "-al"}, c...)}); err != nil {
			if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
				return fmt.Errorf("seed the user's cache: %w", err)
			}
		}
	}
	return filepath.Walk(cache, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.IsDir() {
			return err
		}
		return os.Chown(p, u.UID, u.GID)
	})
}

// lastLine is the last non-empty line of out.
func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}
