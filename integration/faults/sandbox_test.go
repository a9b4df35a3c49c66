package faults

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// sandbox is where the builds of one fault test work, so that what they
// leave is theirs to see: an output directory, a tmp dir (--tmp-dir),
// $TMPDIR, /dev/shm (a directory of the host's tmpfs, bound over /dev/shm
// in the build's own mount namespace) and, for a cold bootstrap, a cache
// of its own with no base in it.
type sandbox struct {
	out, tmp, tmpdir, shm string
	cache                 string
	cold                  bool // cache is the sandbox's, without a base
	cgroup                string
}

func newSandbox(t *testing.T, cold bool) *sandbox {
	t.Helper()
	testenv.RequireCommands(t, "unshare", "mount")
	shm, err := os.MkdirTemp("/dev/shm", "dib-faults-shm-")
	require.NoError(t, err)
	require.NoError(t, os.Chmod(shm, 0o777|os.ModeSticky))
	t.Cleanup(func() { os.RemoveAll(shm) })
	s := &sandbox{out: t.TempDir(), tmp: t.TempDir(), tmpdir: t.TempDir(), shm: shm, cache: testenv.CacheDir(), cold: cold}
	if cold {
		s.cache = t.TempDir()
		linkPackageCache(t, s.cache)
	}
	return s
}

// inCgroup makes the builds run in a cgroup of their own (cgroup v2), so
// that kill stops them and every process they started at once, as
// systemd, a CI runner or the OOM killer does. It reports false when
// there is no cgroup v2 to make one in.
func (s *sandbox) inCgroup(t *testing.T) bool {
	t.Helper()
	root := cgroup2Mount()
	if root == "" {
		return false
	}
	cg, err := os.MkdirTemp(root, "dib-faults-")
	require.NoError(t, err)
	t.Cleanup(func() {
		for try := 0; try < 50 && os.Remove(cg) != nil; try++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	s.cgroup = cg
	return true
}

// killCgroup kills every process of the sandbox's cgroup at once.
func (s *sandbox) killCgroup() error {
	return os.WriteFile(filepath.Join(s.cgroup, "cgroup.kill"), []byte("1"), 0o644)
}

// cgroup2Mount is where the cgroup v2 hierarchy is mounted, or "".
func cgroup2Mount() string {
	fh, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return ""
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if f, p := strings.Fields(pre), strings.Fields(post); ok && len(f) > 4 && len(p) > 0 && p[0] == "cgroup2" {
			if _, err := os.Stat(filepath.Join(f[4], "cgroup.kill")); err == nil {
				return f[4]
			}
		}
	}
	return ""
}

// sandboxScript binds the sandbox's /dev/shm, joins its cgroup if it has
// one, and runs the command.
const sandboxScript = `mount --bind "$1" /dev/shm && { [ -z "$2" ] || echo $$ > "$2/cgroup.procs"; } && shift 2 && exec "$@"`

// argv is the command line that runs dic in the sandbox with args.
func (s *sandbox) argv(dic string, args ...string) []string {
	argv := []string{"unshare", "--mount", "sh", "-c", sandboxScript, "sh", s.shm, s.cgroup, dic,
		"--tmp-dir", s.tmp, "--image-cache", s.cache}
	return append(argv, args...)
}

// env is the environment of a build in the sandbox: TMPDIR is its own.
func (s *sandbox) env(token string, more ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TMPDIR=" + s.tmpdir, token}, more...)
}

// leftBehind waits a few seconds for the builds carrying token to be gone
// and lists what remains: processes, mounts, anything in the tmp dir,
// $TMPDIR or /dev/shm, in a cold cache anything but the packages and the
// base's lock, in the output directory anything but old (which must be
// unchanged), when old is not "".
func (s *sandbox) leftBehind(token, old string) []string {
	var left []string
	// The janitor outlives a killed build and removes its tree; on a busy
	// machine (every phase of a table is killed at once) that takes a
	// while, so what is left is looked at until it is gone or a deadline.
	for deadline := time.Now().Add(90 * time.Second); ; {
		left = nil
		if ps := tokenProcesses(token); len(ps) > 0 {
			left = append(left, "processes "+strings.Join(ps, ", "))
		}
		if ms := mountsUnder(s.out, s.tmp, s.tmpdir, s.shm, s.cache); len(ms) > 0 {
			left = append(left, "mounts "+strings.Join(ms, ", "))
		}
		for what, dir := range map[string]string{"build dir": s.tmp, "$TMPDIR": s.tmpdir, "/dev/shm": s.shm} {
			if es := entries(dir); len(es) > 0 {
				left = append(left, what+" "+strings.Join(es, ", "))
			}
		}
		if s.cold {
			left = append(left, cacheLeftovers(s.cache)...)
		}
		want := 0
		if old != "" {
			want = 1
			if data, err := os.ReadFile(old); err != nil || string(data) != "the older image" {
				left = append(left, "old output changed")
			}
		}
		if es := entries(s.out); len(es) != want {
			left = append(left, "outputs "+strings.Join(es, ", "))
		}
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// cacheLeftovers lists what a cache made cold holds beyond its packages
// and the lock of its base.
func cacheLeftovers(cache string) []string {
	var left []string
	for _, e := range entries(cache) {
		if e != "debs" && e != "base" {
			left = append(left, "cache "+e)
		}
	}
	for _, e := range entries(filepath.Join(cache, "base")) {
		if !strings.HasSuffix(e, ".lock") {
			left = append(left, "cache base/"+e)
		}
	}
	return left
}
