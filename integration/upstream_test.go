package integration

import (
	"bytes"
	"context"
	"os"
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

// UpstreamCheckoutVar names a checkout of openstack/diskimage-builder for
// the opt-in test of its library elements.
const UpstreamCheckoutVar = "DIB_UPSTREAM_CHECKOUT"

// upstreamElements are the original's library elements the opt-in test
// builds unmodified, with our dibtest-upstream.
var upstreamElements = []string{"vm", "debian-minimal", "install-static", "package-installs", "pkg-map", "growroot",
	"dhcp-all-interfaces", "devuser", "manifests", "cloud-init-datasources", "runtime-ssh-host-keys",
	"enable-serial-console", "dibtest-upstream"}

// upstreamRE is the line dibtest-upstream's unit prints at boot.
var upstreamRE = regexp.MustCompile(`DIBTEST-UPSTREAM static=(\S+) extra=(\S+) packages=(\S+) devuser=(\S+) ssh-host-keys=(\d+) growroot=(\S+) dhcp=(\S+) cloud-init=(\S+) manifests=(\S+) serial=(\S+) END`)

// TestTheOriginalsLibraryElementsBuildAndBootUnmodified is opt-in: it runs
// only when DIB_UPSTREAM_CHECKOUT names a checkout of the original
// diskimage-builder (whose elements are not part of this project), and is
// skipped otherwise, under CI=true too: CI has no such checkout, and the
// rest of the suite proves the same rules with our own test elements.
func TestTheOriginalsLibraryElementsBuildAndBootUnmodified(t *testing.T) {
	checkout := os.Getenv(UpstreamCheckoutVar)
	if checkout == "" {
		t.Skip("opt-in: set " + UpstreamCheckoutVar + " to a checkout of openstack/diskimage-builder")
	}
	library := filepath.Join(checkout, "diskimage_builder", "elements")
	if _, err := os.Stat(filepath.Join(library, "growroot")); err != nil {
		t.Fatalf("%s=%s: no diskimage_builder/elements/growroot in it: %v", UpstreamCheckoutVar, checkout, err)
	}
	requireBoot(t)
	ours, err := filepath.Abs("testdata/upstream-elements")
	require.NoError(t, err)
	name := filepath.Join(t.TempDir(), "upstream")
	var log bytes.Buffer
	spec := images.Spec{
		// bookworm: runtime-ssh-host-keys makes a DSA key first, which the
		// OpenSSH of trixie no longer makes (its unit fails there, as it
		// does with the original).
		Name: name, Flavours: upstreamElements, Types: []string{"raw"}, Release: "bookworm",
		ElementsPath: []string{ours, library}, CacheDir: testenv.CacheDir(), Log: &log,
		Env:  []string{"DIB_CLOUD_INIT_DATASOURCES=ConfigDrive, NoCloud", "DIB_DEV_USER_PWDLESS_SUDO=yes"},
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
	assert.Equal(t, "yes", m[1], "install-static copied static/")
	assert.Equal(t, "sourced_by_bash", m[2], "extra-data.d wrote through TMP_MOUNT_PATH what environment.d exported")
	assert.Equal(t, "yes", m[3], "package-installs.yaml installed tree and units (when:)")
	assert.Equal(t, "yes", m[4], "devuser made the user")
	assert.NotEqual(t, "0", m[5], "runtime-ssh-host-keys made host keys at boot")
	assert.Equal(t, "enabled", m[6], "growroot's unit is enabled")
	assert.Equal(t, "yes", m[7], "dhcp-all-interfaces installed its unit")
	assert.Equal(t, "yes", m[8], "cloud-init-datasources configured cloud-init")
	assert.Equal(t, "yes", m[9], "manifests wrote the build's environment")
	assert.Equal(t, "yes", m[10], "enable-serial-console installed its udev rule")
	assert.NotEmpty(t, res.RootUUID)
}
