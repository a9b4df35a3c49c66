package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/archive/archivetest"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
	"github.com/tripleo/diskimage-builder/sbom"
)

// buildBaseTar builds the base flavour as a tar with env and returns the
// spec, the build log and the build's error.
func buildBaseTar(t *testing.T, env ...string) (images.Spec, string, error) {
	t.Helper()
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd")
	var log bytes.Buffer
	spec := images.Spec{Name: filepath.Join(t.TempDir(), "base"), Flavours: []string{"base"}, Types: []string{"tar"},
		CacheDir: testenv.CacheDir(), Log: &log, Env: env}
	_, err := images.Build(context.Background(), spec)
	return spec, log.String(), err
}

// tarEntries returns the link targets ("-> target") and regular file
// contents of the tar at path, by name without "./".
func tarEntries(t *testing.T, path string) map[string]string {
	t.Helper()
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	got := map[string]string{}
	tr := tar.NewReader(fh)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		require.NoError(t, err)
		name := strings.TrimPrefix(h.Name, "./")
		switch h.Typeflag {
		case tar.TypeSymlink:
			got[name] = "-> " + h.Linkname
		case tar.TypeReg:
			if strings.HasPrefix(name, "etc/") && h.Size < 64<<10 {
				data, err := io.ReadAll(tr)
				require.NoError(t, err)
				got[name] = string(data)
			} else {
				got[name] = ""
			}
		}
	}
}

func TestTheBaseFlavourConfiguresACloudInstanceAndDIBCloudInitDatasourcesChoosesItsDatasources(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	spec, log, err := buildBaseTar(t, "DIB_CLOUD_INIT_DATASOURCES=ConfigDrive,OpenStack Ec2")
	if err != nil {
		t.Logf("build log:\n%s", log)
	}
	require.NoError(t, err)
	files := tarEntries(t, spec.Output("tar"))

	assert.Equal(t, "# Written by diskimage-builder's base flavour (DIB_CLOUD_INIT_DATASOURCES).\ndatasource_list: [ ConfigDrive, OpenStack, Ec2 ]\n",
		files["etc/cloud/cloud.cfg.d/91-dib-cloud-init-datasources.cfg"], "the datasources, on one line for ds-identify")
	assert.Contains(t, files["etc/cloud/cloud.cfg.d/90-dib-base.cfg"], "renderers: [netplan]")
	assert.Contains(t, files["etc/cloud/cloud.cfg.d/90-dib-base.cfg"], "manage_etc_hosts: true")
	for _, unit := range []string{
		"multi-user.target.wants/systemd-networkd.service", "sysinit.target.wants/systemd-resolved.service",
		"sysinit.target.wants/systemd-timesyncd.service", "ssh.service.wants/sshd-keygen.service",
		"getty.target.wants/serial-getty@ttyS0.service",
	} {
		assert.Contains(t, files, "etc/systemd/system/"+unit, "enabled")
	}
	assert.Contains(t, files["etc/systemd/system/sshd-keygen.service.d/50-dib-base.conf"], "ConditionFirstBoot=\n")
	assert.Contains(t, files["etc/systemd/network/99-dib-fallback.network"], "DHCP=yes")
	assert.Contains(t, files["etc/resolv.conf"], "systemd/resolve/", "resolv.conf is systemd-resolved's")
	assert.Equal(t, "localhost\n", files["etc/hostname"], "the image's own host name, not the build host's")
	assert.True(t, strings.HasPrefix(files["etc/hosts"], "127.0.0.1\tlocalhost\n"), "the image's own hosts file: %q", files["etc/hosts"])
	assert.Contains(t, files, "usr/sbin/qemu-ga")
	assert.Contains(t, files, "usr/bin/dbus-daemon")
	assert.Contains(t, files, "usr/sbin/netplan")
	assert.NotContains(t, files, "usr/sbin/ifup", "ifupdown is not the network stack")
	assert.Contains(t, files, "etc/.updated", "the first boot does not redo what package scripts did")
	assert.Contains(t, files, "var/.updated")

	// Patched: the three suites in its sources, every package at the
	// newest version they offered when it was built.
	assert.NotContains(t, files, "etc/apt/sources.list")
	sources := files["etc/apt/sources.list.d/debian.sources"]
	assert.Contains(t, sources, "Suites: trixie trixie-updates\n")
	assert.Contains(t, sources, "Suites: trixie-security\n")
	assert.Contains(t, sources, "URIs: "+bootstrap.HostMirror()+"-security\n")
	srcs, err := archive.Config{Release: "trixie", Mirror: bootstrap.HostMirror()}.Sources()
	require.NoError(t, err)
	n := archivetest.RequireCurrent(t, spec.Name+sbom.Ext, srcs, "amd64", testenv.CacheDir())
	assert.Greater(t, n, 150, "packages checked against the archive")
	t.Logf("%d packages of the image are at the archive's newest versions", n)
	requireSyftReadsTheImage(t, spec.Name+sbom.Ext)
}

func TestAnUnknownCloudInitDatasourceFailsTheBuildNamingItAndWritesNothing(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	spec, log, err := buildBaseTar(t, "DIB_CLOUD_INIT_DATASOURCES=ConfigDrive, NoSuchCloud")
	require.Error(t, err)
	assert.Contains(t, log, "base: DIB_CLOUD_INIT_DATASOURCES: cloud-init has no datasource 'NoSuchCloud'")
	assert.Contains(t, err.Error(), "20-base-cloud-init")
	assert.NoFileExists(t, spec.Output("tar"))
}

// Bookworm's openssh-server has no sshd-keygen.service: the base writes
// its own, and a bookworm build of it (as DIB's base element without the
// original's library on the path) succeeds.
func TestTheBaseFlavourBuildsOnBookwormWithAUnitThatMakesTheHostKeys(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd")
	var log bytes.Buffer
	spec := images.Spec{Name: filepath.Join(t.TempDir(), "base"), Flavours: []string{"base"}, Types: []string{"tar"},
		Release: "bookworm", CacheDir: testenv.CacheDir(), Log: &log}
	if _, err := images.Build(context.Background(), spec); err != nil {
		t.Fatalf("build: %v\n%s", err, log.String())
	}
	files := tarEntries(t, spec.Output("tar"))
	assert.NotContains(t, files, "usr/lib/systemd/system/sshd-keygen.service", "bookworm's openssh-server has none")
	assert.Contains(t, files["etc/systemd/system/sshd-keygen.service"], "ExecStart=/usr/bin/ssh-keygen -A")
	assert.Contains(t, files, "etc/systemd/system/ssh.service.wants/sshd-keygen.service", "enabled")
	assert.Contains(t, files["etc/systemd/system/sshd-keygen.service.d/50-dib-base.conf"], "ConditionFirstBoot=\n")
}
