package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// novaMarkerRE matches the line the dib-test-nova marker unit prints.
var novaMarkerRE = regexp.MustCompile(`DIB-NOVA-MARKER root-bytes=(\d+) disk-bytes=(\d+) transport_url=(\S+) host=(\S+) my_ip=(\S+) virt_type=(\S+) nova-compute=(\S+) kvm-module=(\d+) ca-certs=(\d+) END`)

// novaBootTimeout is longer than bootTimeout: cloud-init, libvirt and the
// rest of a compute node start under TCG before the marker.
const novaBootTimeout = 8 * time.Minute

// novaDiskBytes is the disk the nova-compute image is booted on: larger
// than the image, so base must grow the root filesystem to fill it.
const novaDiskBytes = 6 << 30

// The metadata the config drive carries.
const (
	novaTransportURL = "rabbit://nova:s3cret@10.0.2.2:5672/"
	novaHostname     = "compute-7.example.org"
	novaMyIP         = "10.0.2.15"
)

// novaBoot is the nova-compute image, built and booted once for the tests
// of the base and nova-compute flavours.
var novaBoot struct {
	once      sync.Once
	marker    []string
	imageSize int64
	err       error
}

// bootNovaCompute builds (once) the nova-compute image with the test
// marker, boots it (once) on a 6 GiB disk with a config drive, and returns
// the marker's fields.
func bootNovaCompute(t *testing.T) []string {
	t.Helper()
	requireBoot(t)
	testenv.RequireCommands(t, "genisoimage")
	n := &novaBoot
	n.once.Do(func() { n.marker, n.imageSize, n.err = buildAndBootNova(t) })
	require.NoError(t, n.err)
	return n.marker
}

func buildAndBootNova(t *testing.T) ([]string, int64, error) {
	flavoursDir, err := filepath.Abs("testdata/flavours")
	if err != nil {
		return nil, 0, err
	}
	dir := filepath.Join(testenv.CacheDir(), "integration")
	if err := ensureDir(dir); err != nil {
		return nil, 0, err
	}
	var log bytes.Buffer
	spec := images.Spec{
		Name:         filepath.Join(dir, "nova-compute-test"),
		Flavours:     []string{"base", "vm", "local-config", "nova-compute", "dib-test-nova"},
		Types:        []string{"raw"},
		FlavoursPath: []string{flavoursDir}, CacheDir: testenv.CacheDir(), Overwrite: true, Log: &log, Env: []string{},
	}
	res, err := images.Build(context.Background(), spec)
	if err != nil {
		t.Logf("build log:\n%s", log.String())
		return nil, 0, err
	}
	t.Logf("nova-compute image built in %s", res.Duration.Round(time.Second))
	raw := spec.Output("raw")
	fi, err := os.Stat(raw)
	if err != nil {
		return nil, 0, err
	}
	tmp := t.TempDir()
	// A larger disk over the image, leaving the image as it was.
	disk := filepath.Join(tmp, "disk.qcow2")
	ctx := context.Background()
	if _, err := run.Run(ctx, run.Cmd{Argv: []string{"qemu-img", "create", "-q", "-f", "qcow2", "-b", raw, "-F", "raw", disk, strconv.Itoa(novaDiskBytes)}}); err != nil {
		return nil, 0, err
	}
	iso, err := configDrive(ctx, tmp)
	if err != nil {
		return nil, 0, err
	}
	start := time.Now()
	vm := qemu.StartT(t, qemu.WithDisk(disk, "qcow2"), qemu.WithCDROM(iso), qemu.WithSMP(2), qemu.WithMemory(2048))
	m, err := vm.ExpectRE(novaMarkerRE, novaBootTimeout)
	if err != nil {
		return nil, 0, err
	}
	t.Logf("nova-compute boot to marker: %.1fs", time.Since(start).Seconds())
	return m, fi.Size(), vm.Wait(2 * time.Minute)
}

// configDrive makes an ISO9660 config drive labelled config-2, as nova
// gives an instance, with the test's metadata.
func configDrive(ctx context.Context, dir string) (string, error) {
	tree := filepath.Join(dir, "config-drive")
	latest := filepath.Join(tree, "openstack", "latest")
	if err := os.MkdirAll(latest, 0o755); err != nil {
		return "", err
	}
	meta := `{"uuid": "0a7d6ffe-7b7c-4f3f-9d6e-3a4c2b1d0e9f", "name": "compute-7", "hostname": "` + novaHostname + `",
 "meta": {"transport_url": "` + novaTransportURL + `", "my_ip": "` + novaMyIP + `"}}`
	if err := os.WriteFile(filepath.Join(latest, "meta_data.json"), []byte(meta), 0o644); err != nil {
		return "", err
	}
	iso := filepath.Join(dir, "config-drive.iso")
	_, err := run.Run(ctx, run.Cmd{Argv: []string{"genisoimage", "-quiet", "-o", iso, "-V", "config-2", "-r", "-J", tree}})
	return iso, err
}

func TestBaseGrowsTheRootFilesystemToFillADiskLargerThanTheImage(t *testing.T) {
	m := bootNovaCompute(t)
	root, _ := strconv.ParseInt(m[1], 10, 64)
	disk, _ := strconv.ParseInt(m[2], 10, 64)
	assert.Equal(t, int64(novaDiskBytes), disk, "the guest sees the larger disk")
	assert.Greater(t, root, novaBoot.imageSize, "the root filesystem is larger than the whole image was")
	assert.Greater(t, float64(root), 0.9*float64(disk), "the root filesystem fills the disk (less the ESP and ext4's overhead)")
}

func TestNovaComputeIsConfiguredFromTheConfigDriveAtFirstBoot(t *testing.T) {
	m := bootNovaCompute(t)
	assert.Equal(t, novaTransportURL, m[3], "transport_url from the metadata's meta")
	assert.Equal(t, "compute-7", m[4], "host from the metadata's hostname")
	assert.Equal(t, novaMyIP, m[5], "my_ip from the metadata's meta")
	if m[8] == "0" {
		assert.Equal(t, "qemu", m[6], "software emulation: no KVM module loads in the guest")
	} else {
		assert.Equal(t, "kvm", m[6], "a KVM module loaded in the guest")
	}
	assert.Equal(t, "enabled", m[7], "nova-compute enabled once a message queue is named")
	certs, _ := strconv.Atoi(m[9])
	assert.Greater(t, certs, 100, "the CA certificates are linked: update-ca-certificates ran once every package was in")
}
