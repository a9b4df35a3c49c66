package nsrun

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func sh(label, script string) Step {
	return Step{Label: label, Argv: []string{"/bin/sh", "-c", script}}
}

func TestStepsRunInOrderWithLabelledOutputAndSourcedEnvironment(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	env := filepath.Join(dir, "10-env")
	require.NoError(t, os.WriteFile(env, []byte("GREETING=hello\n"), 0o644))
	var out bytes.Buffer
	job := Job{
		Env:      []string{"PATH=/usr/bin:/bin"},
		EnvFiles: []string{env},
		Steps:    []Step{sh("one", `echo "$GREETING one"`), {Label: "two", Argv: []string{"/bin/echo", "two"}, Capture: true}},
	}
	res, err := Run(context.Background(), job, &out)
	require.NoError(t, err)
	require.Len(t, res, 2)
	assert.Equal(t, "one: hello one\ntwo: two\n", out.String())
	assert.Equal(t, "two\n", res[1].Stdout)
}

func TestAFailingStepStopsTheJobAndIsNamed(t *testing.T) {
	testenv.RequireRoot(t)
	var out bytes.Buffer
	job := Job{Steps: []Step{sh("bad", "echo oops >&2; exit 3"), sh("never", "echo never")}}
	res, err := Run(context.Background(), job, &out)
	var se *StepError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, "bad", se.Result.Label)
	assert.Equal(t, 3, se.Result.ExitCode)
	assert.Contains(t, err.Error(), "bad failed: exit status 3: oops")
	assert.Len(t, res, 1)
	assert.NotContains(t, out.String(), "never")
}

func TestMountsAndProcessesOfAJobVanishWithIt(t *testing.T) {
	testenv.RequireRoot(t)
	dir := t.TempDir()
	mnt := filepath.Join(dir, "mnt")
	require.NoError(t, os.Mkdir(mnt, 0o755))
	pidFile := filepath.Join(dir, "pid")
	job := Job{Steps: []Step{
		sh("mount", "mount -t tmpfs dib-test "+mnt+" && touch "+mnt+"/inside"),
		// A daemon that escapes its parent: setsid, backgrounded.
		sh("daemon", "setsid sleep 600 >/dev/null 2>&1 < /dev/null & echo $! > "+pidFile),
	}}
	_, err := Run(context.Background(), job, &bytes.Buffer{})
	require.NoError(t, err)
	mounts, err := workdir.MountsBelow(dir)
	require.NoError(t, err)
	assert.Empty(t, mounts, "the tmpfs was mounted only in the job's namespace")
	assert.NoFileExists(t, filepath.Join(mnt, "inside"))
	assert.Empty(t, pgrep(t, "sleep 600"), "the daemon died with the job's PID namespace")
}

func TestCancellingTheContextKillsEveryProcessOfTheJob(t *testing.T) {
	testenv.RequireRoot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := Run(ctx, Job{Steps: []Step{sh("slow", "sleep 601 & sleep 602")}}, &bytes.Buffer{})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	assert.Empty(t, pgrep(t, "sleep 60[12]"))
}

func TestAChrootJobFailsClearlyWhenTheRootIsMissing(t *testing.T) {
	testenv.RequireRoot(t)
	_, err := Run(context.Background(), Job{Root: "/nonexistent/root", Steps: []Step{sh("x", "true")}}, &bytes.Buffer{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chroot /nonexistent/root")
}

func pgrep(t *testing.T, pattern string) string {
	out, _ := exec.Command("pgrep", "-f", pattern).Output()
	return strings.TrimSpace(string(out))
}

func TestJobsSeeTheImagesHostNameNeverTheBuildHosts(t *testing.T) {
	testenv.RequireRoot(t)
	host, err := os.Hostname()
	require.NoError(t, err)
	var out bytes.Buffer
	res, err := Run(context.Background(), Job{Steps: []Step{{Label: "name", Argv: []string{"/bin/cat", "/proc/sys/kernel/hostname"}, Capture: true}}}, &out)
	require.NoError(t, err)
	assert.Equal(t, Hostname+"\n", res[0].Stdout)
	after, err := os.Hostname()
	require.NoError(t, err)
	assert.Equal(t, host, after, "the host keeps its name")
}
