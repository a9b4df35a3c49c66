package faults

import (
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// sweepCases are where a build is killed together with its janitor.
var sweepCases = []faultPhase{
	{"bootstrap, cold cache", "bootstrap", "bootstrap: I: extracting archives", true},
	{"outputs", "outputs", "==> output", false},
}

// TestTheNextBuildSweepsWhatAKilledBuildAndItsJanitorLeft kills a build
// and every process it started at once (its cgroup, as systemd stopping a
// unit, a cancelled CI job or the OOM killer do), so that its janitor never
// runs; the next build on the same tmp dir and cache removes what it left.
func TestTheNextBuildSweepsWhatAKilledBuildAndItsJanitorLeft(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "qemu-img", "mkfs.ext4", "mkfs.vfat", "mcopy", "go")
	dic := command(t, "disk-image-create")
	fl, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	for _, c := range sweepCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sb := newSandbox(t, c.cold)
			cgroup := sb.inCgroup(t)
			args := []string{"-o", filepath.Join(sb.out, "img"), "--flavours-path", fl, "dib-test-fault"}
			token := "DIB_FAULT_TOKEN=" + randomHex()
			p := start(t, sb.env(token), sb.argv(dic, args...)...)
			require.NoError(t, p.waitFor(c.marker, 10*time.Minute), p.log())
			if cgroup {
				require.NoError(t, sb.killCgroup())
			} else {
				killAll(token) // no cgroup v2 here: every process of the build, janitor included
			}
			p.wait()
			require.Eventually(t, func() bool { return len(tokenProcesses(token)) == 0 }, time.Minute, 100*time.Millisecond)

			// What the dead build and its janitor left.
			left := globs(t, filepath.Join(sb.tmp, "dib_build.*"))
			if c.cold {
				left = append(left, globs(t, filepath.Join(sb.shm, "dib-bootstrap-*"), filepath.Join(sb.cache, "base", ".tmp-*"))...)
			} else {
				left = append(left, globs(t, filepath.Join(sb.out, ".img.qcow2.tmp-*"))...)
			}
			t.Logf("left by the killed build: %v", left)

			// The next build sweeps it first thing; it is stopped right after.
			token2 := "DIB_FAULT_TOKEN=" + randomHex()
			sb.cgroup = ""
			q := start(t, sb.env(token2), sb.argv(dic, args...)...)
			require.NoError(t, q.waitFor("building ", 5*time.Minute), q.log())
			require.NoError(t, q.cmd.Process.Signal(syscall.SIGTERM))
			assert.Equal(t, 130, q.wait(), q.log())
			for _, l := range left {
				l = strings.Replace(l, sb.shm, "/dev/shm", 1) // as the build sees it
				assert.Contains(t, q.log(), "swept what a dead build left: "+l)
			}
			assert.Empty(t, sb.leftBehind(token2, ""), "nothing left once the next build ran")
		})
	}
}

// TestALiveBuildsFilesAreNeverSwept starts a second build on the tmp dir
// and cache of one that is making its base: the second sweeps before it
// builds, and every file of the first is still there, the first going on.
func TestALiveBuildsFilesAreNeverSwept(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "go")
	dic := command(t, "disk-image-create")
	fl, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	sb := newSandbox(t, true)
	tokenA, tokenB := "DIB_FAULT_TOKEN="+randomHex(), "DIB_FAULT_TOKEN="+randomHex()
	a := start(t, sb.env(tokenA), sb.argv(dic, "-o", filepath.Join(sb.out, "a"), "--flavours-path", fl, "dib-test-fault")...)
	require.NoError(t, a.waitFor("bootstrap: I: extracting archives", 10*time.Minute), a.log())
	files := globs(t, filepath.Join(sb.tmp, "dib_build.*"), filepath.Join(sb.shm, "dib-bootstrap-*"), filepath.Join(sb.cache, "base", ".tmp-*"))

	b := start(t, sb.env(tokenB), sb.argv(dic, "-o", filepath.Join(sb.out, "b"), "--flavours-path", fl, "dib-test-fault")...)
	require.NoError(t, b.waitFor("building ", 5*time.Minute), b.log())
	assert.NotContains(t, b.log(), "swept")
	for _, f := range files {
		assert.FileExists(t, filepath.Join(f, ".owner"), "a live build's file is never swept")
	}
	// The second waits for the base the first is making; both are
	// stopped, each cleaning up after itself.
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 130, b.wait(), b.log())
	for _, f := range files {
		assert.DirExists(t, f)
	}
	require.NoError(t, a.cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, 130, a.wait(), a.log())
	assert.Contains(t, lastLine(a.log()), "interrupted during phase bootstrap", "the first was still making its base")
	assert.Empty(t, sb.leftBehind(tokenA, ""))
	assert.Empty(t, sb.leftBehind(tokenB, ""))
}

// globs lists what each pattern matches; each must match something.
func globs(t *testing.T, patterns ...string) []string {
	t.Helper()
	var out []string
	for _, p := range patterns {
		m, err := filepath.Glob(p)
		require.NoError(t, err)
		require.NotEmpty(t, m, "nothing matches %s", p)
		out = append(out, m...)
	}
	return out
}

// killAll kills every process carrying token with SIGKILL.
func killAll(token string) {
	for _, p := range tokenProcesses(token) {
		pid, _, _ := strings.Cut(p, ":")
		if n, err := strconv.Atoi(pid); err == nil {
			syscall.Kill(n, syscall.SIGKILL)
		}
	}
}
