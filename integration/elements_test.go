package integration

import (
	"bytes"
	"context"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// elementImage is the image of the test elements in DIB's conventions
// (testdata/elements), built once as tar and raw.
var elementImage struct {
	once   sync.Once
	name   string
	result *images.Result
	log    bytes.Buffer
	err    error
}

// buildElementImage builds (once) vm debian-minimal dibtest dibtest-helper
// with -n and
// returns its name (outputs NAME.tar and NAME.raw).
func buildElementImage(t *testing.T) string {
	t.Helper()
	requireBoot(t)
	b := &elementImage
	b.once.Do(func() {
		dir, err := filepath.Abs("testdata/elements")
		if err != nil {
			b.err = err
			return
		}
		out := filepath.Join(testenv.CacheDir(), "integration")
		if b.err = ensureDir(out); b.err != nil {
			return
		}
		b.name = filepath.Join(out, "elements-test")
		spec := images.Spec{
			Name: b.name, Flavours: []string{"vm", "debian-minimal", "dibtest", "dibtest-helper"}, Types: []string{"tar", "raw"},
			ElementsPath: []string{dir}, SkipBase: true, CacheDir: testenv.CacheDir(), Overwrite: true, Log: &b.log,
			Env:  []string{"DIB_DIBTEST_CALLER=from the caller"},
			Args: []string{"-n", "-o", "elements-test", "vm", "debian-minimal", "dibtest", "dibtest-helper"},
		}
		b.result, b.err = images.Build(context.Background(), spec)
	})
	if b.err != nil {
		t.Logf("build log:\n%s", b.log.String())
	}
	require.NoError(t, b.err, "build the element test image")
	return b.name
}

// tarFile reads one file of a tar output.
func tarFile(t *testing.T, tarball, p string) string {
	t.Helper()
	out, err := exec.Command("tar", "-xOf", tarball, "./"+p).Output()
	require.NoError(t, err, "read %s from %s", p, tarball)
	return string(out)
}

// tarHas reports whether a tar output holds p.
func tarHas(t *testing.T, tarball, p string) bool {
	t.Helper()
	return exec.Command("tar", "-tf", tarball, "./"+p).Run() == nil
}

func TestElementsRunEveryPhaseInDIBsOrderWithItsVariablesAndHelpers(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	tarball := buildElementImage(t) + ".tar"

	phases := strings.Fields(tarFile(t, tarball, "etc/dibtest/phases"))
	assert.Equal(t, []string{"root", "extra-data", "pre-install", "install", "post-install", "post-root",
		"block-device", "pre-finalise", "finalise", "cleanup"}, phases)
	assert.Equal(t, []string{"05", "9", "10"}, strings.Fields(tarFile(t, tarball, "etc/dibtest/order")),
		"hooks run in dib-run-parts' numeric order across elements")
	assert.Equal(t, "helper\n", tarFile(t, tarball, "etc/dibtest/helper"), "the element providing dibtest-virtual ran")
	assert.Equal(t, "source\n", tarFile(t, tarball, "etc/dibtest/install-type"), "install-types linked the default type's hooks")

	vars := tarFile(t, tarball, "etc/dibtest/vars")
	for _, want := range []string{
		"DIB_INIT_SYSTEM=systemd", "DIB_PYTHON_VERSION=3", "DIB_PYTHON=python3", "DISTRO_NAME=debian",
		"DIB_RELEASE=trixie", "ARCH=amd64", "DIB_OFFLINE=\n", "IMAGE_NAME=" + elementImage.name + "\n",
		"DIB_ARGS=-n -o elements-test vm debian-minimal dibtest dibtest-helper", "DIB_DEFAULT_INSTALLTYPE=source",
		"DIBTEST_ARRAY=one two three", "DIBTEST_DISTRO_SEEN=yes", "DIBTEST_NOT_EXPORTED=unset",
		"fn=function from environment.d", "TMP_MOUNT_PATH=set", "TMP_BUILD_DIR=set", "TMP_HOOKS_PATH=/tmp/in_target.d",
		"DIB_ENV_HAS_CALLER=1", "YAML_HAS_DIBTEST=1", "ARRAY_HAS_DIBTEST=yes",
		"dib-init-system=systemd", "dib-python=42", "dibtest-tool=installed by install-bin",
		"extra-data-file=from the build host", "hook-data=hook data", "pkg-map=sl ", "hello-during-build=yes",
	} {
		assert.Contains(t, vars, want)
	}
	assert.Regexp(t, regexp.MustCompile(`(?m)^IMAGE_ELEMENT=.*\bdibtest\b`), vars)
	outside := tarFile(t, tarball, "etc/dibtest/outside-vars")
	assert.Contains(t, outside, "ARRAY_DIBTEST=dir\nARRAY_PKG_MAP=dir\n", "hooks outside the image read the elements' directories")
	assert.Regexp(t, `sudo=/\S+/bin/sudo\n`, outside, "hooks outside the image find the build's sudo")
	assert.Contains(t, outside, "PYTHON_EXEC=42")
	assert.Contains(t, vars, "dibtest-helper")

	status := tarFile(t, tarball, "var/lib/dpkg/status")
	installed := func(p string) bool {
		return regexp.MustCompile(`(?m)^Package: ` + regexp.QuoteMeta(p) + `\nStatus: install ok installed`).MatchString(status)
	}
	for _, p := range []string{"tree", "sl", "units"} {
		assert.True(t, installed(p), "package-installs.yaml installs %s", p)
	}
	for _, p := range []string{"hello", "pv", "bc", "ed"} {
		assert.False(t, installed(p), "%s is build-only, filtered out or removed", p)
	}
	assert.True(t, tarHas(t, tarball, "usr/lib/systemd/system/dibtest-boot.service"), "dib-init-system installed the init script")
	assert.True(t, tarHas(t, tarball, "usr/local/bin/install-packages"))
	assert.False(t, tarHas(t, tarball, "usr/local/bin/dib-python"), "dib-python is removed in cleanup.d")
	assert.False(t, tarHas(t, tarball, "tmp/dibtest-leftover"), "the image's /tmp is emptied after cleanup.d")
}

// dibtestBootRE is the line dibtest-boot.service prints.
var dibtestBootRE = regexp.MustCompile(`DIBTEST-BOOT unit=(\S+) boots=(\d+) root=(\S+) END`)

func TestAnElementsInitScriptRunsAtBootOfTheElementImage(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	name := buildElementImage(t)
	raw := copyDisk(t, name+".raw")
	start := time.Now()
	vm := qemu.StartT(t, qemu.WithDisk(raw, "raw"), qemu.WithSMP(2))
	m, err := vm.ExpectRE(dibtestBootRE, bootTimeout)
	require.NoError(t, err)
	t.Logf("boot to marker: %.1fs", time.Since(start).Seconds())
	require.NoError(t, vm.Wait(2*time.Minute), "the guest powers off after the marker")
	assert.Equal(t, "ran", m[1])
	assert.Equal(t, "1", m[2], "first boot")
	assert.Equal(t, elementImage.result.RootUUID, m[3])
}
