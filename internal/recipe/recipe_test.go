package recipe

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// fixture is a spec over a flavour of the test's own, with its output in
// place as a build would have left it.
func fixture(t *testing.T) (images.Spec, string) {
	t.Helper()
	dir := t.TempDir()
	hook := filepath.Join(dir, "flavours", "motd", "install.d", "50-motd")
	require.NoError(t, os.MkdirAll(filepath.Dir(hook), 0o755))
	require.NoError(t, os.WriteFile(hook, []byte("#!/bin/sh\necho hello > /etc/motd\n"), 0o755))
	spec := images.Spec{
		Name: filepath.Join(dir, "out", "vm"), Flavours: []string{"motd", "vm"},
		FlavoursPath: []string{filepath.Join(dir, "flavours")}, CacheDir: filepath.Join(dir, "cache"),
		Mirror: "http://deb.debian.org/debian", Env: []string{"DIB_RELEASE_NOTE=a", "HOME=/home/x"},
	}
	require.NoError(t, os.MkdirAll(filepath.Dir(spec.Name), 0o755))
	require.NoError(t, os.WriteFile(spec.Output("qcow2"), []byte("image"), 0o644))
	return spec, hook
}

// plan plans spec.
func plan(t *testing.T, spec images.Spec) *images.Plan {
	t.Helper()
	p, err := spec.Plan()
	require.NoError(t, err)
	return p
}

func requireUpToDate(t *testing.T, spec images.Spec) {
	t.Helper()
	ok, reason, err := Check(context.Background(), plan(t, spec))
	require.NoError(t, err)
	require.True(t, ok, reason)
}

// staleReason checks that spec's outputs must be rebuilt and returns why.
func staleReason(t *testing.T, spec images.Spec) string {
	t.Helper()
	ok, reason, err := Check(context.Background(), plan(t, spec))
	require.NoError(t, err)
	require.False(t, ok, "a rebuild is due")
	return reason
}

func TestAnOutputWithoutRecordedInputsIsRebuilt(t *testing.T) {
	t.Parallel()
	spec, _ := fixture(t)
	assert.Contains(t, staleReason(t, spec), "vm.inputs does not exist")
}

func TestRecordedInputsWithTheOutputInPlaceAreUpToDate(t *testing.T) {
	t.Parallel()
	spec, _ := fixture(t)
	require.NoError(t, Record(plan(t, spec)))
	requireUpToDate(t, spec)
	assert.FileExists(t, InputsFile(plan(t, spec)))
}

func TestAMissingOutputIsRebuilt(t *testing.T) {
	t.Parallel()
	spec, _ := fixture(t)
	require.NoError(t, Record(plan(t, spec)))
	spec.Types = []string{"qcow2", "raw"}
	assert.Contains(t, staleReason(t, spec), "vm.raw does not exist")
}

func TestAnEditedHookTriggersARebuild(t *testing.T) {
	t.Parallel()
	spec, hook := fixture(t)
	require.NoError(t, Record(plan(t, spec)))
	require.NoError(t, os.WriteFile(hook, []byte("#!/bin/sh\necho changed > /etc/motd\n"), 0o755))
	assert.Equal(t, "changed: file motd/install.d/50-motd", staleReason(t, spec))
}

func TestANewHookAndAChangedModeTriggerARebuild(t *testing.T) {
	t.Parallel()
	spec, hook := fixture(t)
	require.NoError(t, Record(plan(t, spec)))
	require.NoError(t, os.Chmod(hook, 0o700))
	assert.Equal(t, "changed: file motd/install.d/50-motd", staleReason(t, spec))

	require.NoError(t, Record(plan(t, spec)))
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(hook), "60-more"), []byte("#!/bin/sh\n"), 0o755))
	assert.Equal(t, "new input: file motd/install.d/60-more", staleReason(t, spec))
}

func TestChangedSettingsAndVariablesTriggerARebuild(t *testing.T) {
	t.Parallel()
	spec, _ := fixture(t)
	require.NoError(t, Record(plan(t, spec)))

	more := spec
	more.Packages = []string{"vim"}
	assert.Equal(t, "changed: spec packages", staleReason(t, more))

	release := spec
	release.Release = "forky"
	assert.Equal(t, "changed: base key", staleReason(t, release))

	env := spec
	env.Env = []string{"DIB_RELEASE_NOTE=b", "HOME=/home/y"}
	assert.Equal(t, "changed: env DIB_RELEASE_NOTE", staleReason(t, env))

	// Variables that never reach the hooks change nothing, nor those that
	// say where and how the build runs.
	home := spec
	home.Env = []string{"DIB_RELEASE_NOTE=a", "HOME=/home/y", "DIB_TMP=/elsewhere", "DIB_LOGFILE=/tmp/log", "TMPDIR=/x"}
	requireUpToDate(t, home)

	seeded := spec
	seeded.Seed = "another"
	assert.Equal(t, "changed: spec seed", staleReason(t, seeded))
	dated := spec
	dated.SourceDateEpoch = time.Unix(1735689600, 0)
	assert.Equal(t, "new input: spec epoch", staleReason(t, dated))
}

func TestARefreshedBaseTarballTriggersARebuild(t *testing.T) {
	t.Parallel()
	spec, _ := fixture(t)
	spec.Offline = true // the archive is not asked (see the bootstrap tests)
	base := plan(t, spec).Root.Base()
	tarball := base.Path()
	require.NoError(t, os.MkdirAll(filepath.Dir(tarball), 0o755))
	require.NoError(t, os.WriteFile(tarball, []byte("base"), 0o644))
	require.NoError(t, bootstrap.Seal(tarball, time.Unix(1735689600, 0)))
	require.NoError(t, Record(plan(t, spec)))
	requireUpToDate(t, spec)

	// Touching it changes nothing; new bytes do.
	require.NoError(t, os.Chtimes(tarball, time.Now(), time.Now()))
	requireUpToDate(t, spec)
	require.NoError(t, os.WriteFile(tarball, []byte("a newer base"), 0o644))
	require.NoError(t, bootstrap.Seal(tarball, time.Unix(1735689600, 0)))
	assert.Equal(t, "changed: base sha256", staleReason(t, spec))
}

func TestAFlavoursBootstrapPackagesChangeTheBaseItStartsFrom(t *testing.T) {
	t.Parallel()
	spec, hook := fixture(t)
	require.NoError(t, Record(plan(t, spec)))
	pkgs := filepath.Join(filepath.Dir(filepath.Dir(hook)), "bootstrap-packages")
	require.NoError(t, os.WriteFile(pkgs, []byte("vim\n"), 0o644))
	assert.Equal(t, "changed: base key", staleReason(t, spec))
	base := plan(t, spec).Root.Base()
	assert.Contains(t, base.Packages, "vim")
}

func TestTheInputsRecordHoldsNoSecretAndIsTheOwnersOnly(t *testing.T) {
	t.Parallel()
	spec, _ := fixture(t)
	spec.Env = append(spec.Env, "https_proxy=http://alice:proxy-pw-1@proxy.example:3128",
		"DIB_DEV_USER_PASSWORD=user-pw-1")
	require.NoError(t, Record(plan(t, spec)))
	data, err := os.ReadFile(InputsFile(plan(t, spec)))
	require.NoError(t, err)
	assert.NotContains(t, string(data), "proxy-pw-1")
	assert.NotContains(t, string(data), "user-pw-1")
	assert.Contains(t, string(data), "alice:<redacted:", "the proxy's user and host stay readable")
	fi, err := os.Stat(InputsFile(plan(t, spec)))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// A changed password is still a changed input.
	changed := spec
	changed.Env = append(append([]string(nil), spec.Env[:len(spec.Env)-1]...), "DIB_DEV_USER_PASSWORD=user-pw-2")
	assert.Equal(t, "changed: env DIB_DEV_USER_PASSWORD", staleReason(t, changed))
}
