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
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// moreUpstreamElements are more of the original's library elements an
// operator of Debian images uses, built unmodified into a tar output.
var moreUpstreamElements = []string{"debian-minimal", "cloud-init", "openssh-server", "cloud-init-growpart",
	"journal-to-console", "sysctl", "modprobe", "disable-nouveau", "svc-map", "dynamic-login", "sysprep", "apt-conf"}

// TestMoreOfTheOriginalsElementsBuildUnmodified builds a tar of more of
// the original's library elements, unmodified, and checks what each made.
func TestMoreOfTheOriginalsElementsBuildUnmodified(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	requireBoot(t)
	library := filepath.Join(upstreamCheckout(t), "diskimage_builder", "elements")
	dir := t.TempDir()
	aptConf := filepath.Join(dir, "apt.conf")
	require.NoError(t, os.WriteFile(aptConf, []byte("APT::Install-Recommends \"false\"; // dibtest apt-conf\n"), 0o644))
	name := filepath.Join(dir, "more")
	var log bytes.Buffer
	spec := images.Spec{
		Name: name, Flavours: moreUpstreamElements, Types: []string{"tar"}, Release: "bookworm",
		ElementsPath: []string{library}, CacheDir: testenv.CacheDir(), Log: &log,
		Env: []string{"DIB_MODPROBE_BLACKLIST=floppy pcspkr", "DIB_APT_CONF=" + aptConf,
			`DIB_CLOUD_INIT_GROWPART_DEVICES=["/"]`},
		Args: append([]string{"-t", "tar", "-o", "more"}, moreUpstreamElements...),
	}
	start := time.Now()
	_, err := images.Build(context.Background(), spec)
	if err != nil {
		t.Logf("build log:\n%s", log.String())
	}
	require.NoError(t, err)
	t.Logf("built %v in %.1fs", moreUpstreamElements, time.Since(start).Seconds())
	tarball := name + ".tar"

	status := tarFile(t, tarball, "var/lib/dpkg/status")
	for _, p := range []string{"cloud-init", "openssh-server", "python3-yaml", "cloud-guest-utils"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^Package: `+regexp.QuoteMeta(p)+`\nStatus: install ok installed`), status,
			"package-installs of the elements installed %s", p)
	}
	assert.True(t, tarHas(t, tarball, "etc/systemd/system/multi-user.target.wants/cloud-init.service") ||
		tarHas(t, tarball, "etc/systemd/system/cloud-init.target.wants/cloud-init.service"), "cloud-init enabled its units")
	assert.Contains(t, tarFile(t, tarball, "etc/ssh/sshd_config"), "PermitRootLogin", "openssh-server hardened sshd_config")
	assert.Contains(t, tarFile(t, tarball, "etc/systemd/journald.conf.d/log-to-console.conf"), "ForwardToConsole=true", "journal-to-console")
	assert.True(t, tarHas(t, tarball, "usr/local/bin/sysctl-set-value"), "sysctl's bin/ (install-bin)")
	assert.Equal(t, "blacklist floppy\nblacklist pcspkr\n", tarFile(t, tarball, "etc/modprobe.d/blacklist.conf"), "modprobe")
	assert.Contains(t, tarFile(t, tarball, "etc/modprobe.d/disable-nouveau.conf"), "nouveau", "disable-nouveau's modprobe.d through modprobe")
	assert.NotEmpty(t, tarFile(t, tarball, "usr/share/svc-map/services"), "svc-map merged the service maps (Python with PyYAML on the host)")
	assert.True(t, tarHas(t, tarball, "usr/local/bin/dynamic-login"), "dynamic-login (install-static)")
	assert.Equal(t, "uninitialized\n", tarFile(t, tarball, "etc/machine-id"), "sysprep")
	assert.Contains(t, tarFile(t, tarball, "etc/apt/apt.conf"), "dibtest apt-conf", "apt-conf copied DIB_APT_CONF")
	assert.Contains(t, tarFile(t, tarball, "etc/cloud/cloud.cfg.d/55-growpart.cfg"), `devices: ["/"]`, "cloud-init-growpart")
}
