package images_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
)

func TestATarImageIsShapedByEveryPhase(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "all", "dib-test-all")
	spec.Types = []string{"tar"}
	spec.Packages = []string{"hello"}
	spec.Trace = true
	res, err := images.Build(context.Background(), spec)
	require.NoError(t, err)
	require.Equal(t, []string{spec.Name + ".tar"}, res.Outputs)
	log := spec.Log.(*testLog).String()
	assert.Contains(t, log, "dib-test-all/pre-install.d/10-pre: + mkdir -p /etc/dib-test", "-x traces shell hooks")
	assert.Contains(t, log, "dib-test-all/install.d/10-install: done in ", "each hook's time")
	assert.Contains(t, log, "==> summary")
	assert.Contains(t, log, "slow hook dib-test-")
	assert.NotEmpty(t, res.Hooks)

	files := readTar(t, spec.Name+".tar")
	content := func(p string) string {
		e, ok := files["./"+p]
		require.True(t, ok, "%s is in the tar", p)
		return strings.TrimSpace(e.Data)
	}
	assert.Equal(t, "from-environment-d", content("etc/dib-test/pre-install"), "environment.d is sourced")
	assert.Equal(t, "dep", content("etc/dib-test/dep"), "flavour-deps pulled in dib-test-dep")
	assert.Equal(t, "extra data for all", content("etc/dib-test/extra"), "extra-data reached the chroot")
	assert.Equal(t, "ro", content("etc/dib-test/hooks-mount"), "hooks are mounted read-only")
	assert.Equal(t, "/usr/bin/hello", content("etc/dib-test/packages"), "-p packages installed before post-install.d")
	assert.Equal(t, "not-yet", content("etc/dib-test/packages-at-install"), "and after install.d, as the original's")
	assert.Equal(t, "mounted", content("etc/dib-test/system-mounts"))
	assert.Equal(t, "post-install", content("etc/dib-test/post-install"))
	assert.Equal(t, "finalise", content("etc/dib-test/finalise"))
	assert.Equal(t, "cleanup", content("etc/dib-test/cleanup"), "cleanup.d ran outside on TARGET_ROOT")
	env := content("etc/dib-test/env")
	for _, want := range []string{"TARGET_ROOT=/", "TMP_HOOKS_PATH=/tmp/in_target.d", "IMAGE_NAME=all", "ARCH=amd64",
		"DIB_RELEASE=trixie", "DISTRO_NAME=debian", "FLAVOURS=dib-test-dep dib-test-all", "DIB_DEBUG_TRACE=1",
		"LC_ALL=C", "DIB_TEST_PASSED=yes"} {
		assert.Contains(t, env, want)
	}

	// first-boot.d is installed with its unit.
	assert.Contains(t, files, "./usr/local/lib/dib/first-boot.d/10-first-boot")
	assert.Contains(t, content("etc/systemd/system/dib-first-boot.service"), "Before=rc-local.service")
	// A blank slate: nothing of the build is left.
	assert.Equal(t, "", content("etc/machine-id"))
	for _, gone := range []string{"usr/sbin/policy-rc.d", "tmp/in_target.d/", "etc/apt/apt.conf.d/zz-dib-keep-debs",
		"etc/dpkg/dpkg.cfg.d/zz-dib-unsafe-io", "etc/resolv.conf.ORIG"} {
		assert.NotContains(t, files, "./"+gone)
	}
	for name := range files {
		assert.False(t, strings.HasPrefix(name, "./var/lib/apt/lists/") && strings.HasSuffix(name, "_Packages"), "apt lists cleaned: %s", name)
		assert.False(t, strings.HasPrefix(name, "./etc/ssh/ssh_host_"), "no ssh host keys: %s", name)
		assert.False(t, strings.HasSuffix(name, ".deb"), "no package files: %s", name)
	}
	// Owners are numeric and root's.
	assert.Equal(t, 0, files["./etc/dib-test/env"].Uid)
	entries, _ := os.ReadDir(spec.TmpDir)
	assert.Empty(t, entries, "the build directory was removed")
}

func TestAFailingInstallHookIsNamedAndLeavesNothing(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "fail", "dib-test-fail")
	spec.Types = []string{"tar"}
	// An older output survives a failed build.
	require.NoError(t, os.WriteFile(spec.Name+".tar", []byte("old"), 0o644))
	_, err := images.Build(context.Background(), spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dib-test-fail/install.d/10-fail failed: exit status 7: failing on purpose")
	assert.Contains(t, err.Error(), "phase install")
	old, rerr := os.ReadFile(spec.Name + ".tar")
	require.NoError(t, rerr)
	assert.Equal(t, "old", string(old))
	outs, _ := os.ReadDir(filepath.Dir(spec.Name))
	assert.Len(t, outs, 1, "no partial output beside the old one")
	tmp, _ := os.ReadDir(spec.TmpDir)
	assert.Empty(t, tmp, "the build directory was removed")
	assert.Empty(t, leftovers(t, "sleep 777", spec.TmpDir))
}
