package integration

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// upstreamElements are the original's library elements the opt-in test
// builds unmodified, with our dibtest-upstream.
var upstreamElements = []string{"vm", "debian-minimal", "install-static", "package-installs", "pkg-map", "growroot",
	"dhcp-all-interfaces", "devuser", "manifests", "cloud-init-datasources", "runtime-ssh-host-keys",
	"enable-serial-console", "cache-url", "source-repositories", "select-boot-kernel-initrd",
	"cleanup-kernel-initrd", "pip-and-virtualenv", "dibtest-upstream"}

// upstreamRE is the line dibtest-upstream's unit prints at boot.
var upstreamRE = regexp.MustCompile(`DIBTEST-UPSTREAM static=(\S+) extra=(\S+) packages=(\S+) devuser=(\S+) ssh-host-keys=(\d+) growroot=(\S+) dhcp=(\S+) cloud-init=(\S+) manifests=(\S+) serial=(\S+) kernel=(\S+) old-kernel=(\S+) source-file=(\S+) source-git=(\S+) pip=(\S+) END`)

// upstreamSources makes what dibtest-upstream's source-repository file
// names, in a directory given to hooks as DIB_DIBTEST_SOURCES: a file, and
// a git repository with a master branch.
func upstreamSources(t *testing.T) string {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "source-file"), []byte("dibtest-source-file\n"), 0o644))
	repo := filepath.Join(dir, "repo")
	require.NoError(t, os.MkdirAll(repo, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(repo, "README.dibtest"), []byte("dibtest-git-repo\n"), 0o644))
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=dibtest", "-c", "user.email=dibtest@localhost"}, args...)...)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "git %v: %s", args, out)
	}
	git("init", "-q", "-b", "master")
	git("add", "README.dibtest")
	git("commit", "-q", "-m", "dibtest")
	return dir
}

// TestTheOriginalsLibraryElementsBuildAndBootUnmodified builds and boots
// an image of the original diskimage-builder's library elements,
// unmodified, from the checkout upstreamCheckout finds (skipped, or failed
// under CI=true, when there is none).
func TestTheOriginalsLibraryElementsBuildAndBootUnmodified(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	requireBoot(t)
	testenv.RequireCommands(t, "git", "curl")
	library := filepath.Join(upstreamCheckout(t), "diskimage_builder", "elements")
	ours, err := filepath.Abs("testdata/upstream-elements")
	require.NoError(t, err)
	name := filepath.Join(t.TempDir(), "upstream")
	sources := upstreamSources(t)
	var log bytes.Buffer
	spec := images.Spec{
		// bookworm: runtime-ssh-host-keys makes a DSA key first, which the
		// OpenSSH of trixie no longer makes (its unit fails there, as it
		// does with the original).
		Name: name, Flavours: upstreamElements, Types: []string{"raw"}, Release: "bookworm",
		ElementsPath: []string{ours, library}, CacheDir: testenv.CacheDir(), Log: &log,
		Env: []string{"DIB_CLOUD_INIT_DATASOURCES=ConfigDrive, NoCloud", "DIB_DEV_USER_PWDLESS_SUDO=yes",
			"DIB_DIBTEST_SOURCES=" + sources,
			// pip-and-virtualenv from Debian's packages; its get-pip.py
			// (fetched whatever the install type) from a local file, as
			// an offline build does.
			"DIB_INSTALLTYPE_pip_and_virtualenv=package",
			"DIB_REPOLOCATION_pip_and_virtualenv=file://" + sources + "/source-file"},
		Args: append([]string{"-o", "upstream"}, upstreamElements...),
	}
	start := time.Now()
	res, err := images.Build(context.Background(), spec)
	if err != nil {
		t.Logf("build log:\n%s", log.String())
	}
	require.NoError(t, err)
	t.Logf("built %v in %.1fs", upstreamElements, time.Since(start).Seconds())
	assert.DirExists(t, name+".d/dib-manifests", "manifests saved its directory beside the image")

	vm := qemu.StartT(t, qemu.WithDisk(name+".raw", "raw"), qemu.WithSMP(2))
	m, err := vm.ExpectRE(upstreamRE, 2*bootTimeout)
	require.NoError(t, err)
	require.NoError(t, vm.Wait(2*time.Minute), "the guest powers off after the marker")
	for i, want := range []struct{ value, why string }{
		{"yes", "install-static copied static/"},
		{"sourced_by_bash", "extra-data.d wrote through TMP_MOUNT_PATH what environment.d exported"},
		{"yes", "package-installs.yaml installed tree and units (when:)"},
		{"yes", "devuser made the user"},
		{"", "runtime-ssh-host-keys made host keys at boot"},
		{"enabled", "growroot's unit is enabled"},
		{"yes", "dhcp-all-interfaces installed its unit"},
		{"yes", "cloud-init-datasources configured cloud-init"},
		{"yes", "manifests wrote the build's environment"},
		{"yes", "enable-serial-console installed its udev rule"},
		{"yes", "select-boot-kernel-initrd named the kernel and initrd /vmlinuz and /initrd.img point to"},
		{"yes", "cleanup-kernel-initrd removed the older kernel"},
		{"yes", "source-repositories fetched the file with cache-url"},
		{"yes", "source-repositories cloned the git repository"},
		{"yes", "pip-and-virtualenv installed pip, virtualenv and venv from packages"},
	} {
		if want.value == "" {
			assert.NotEqual(t, "0", m[i+1], want.why)
			continue
		}
		assert.Equal(t, want.value, m[i+1], want.why)
	}
	assert.NotEmpty(t, res.RootUUID)
}
