package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/integration/guest"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// Cloud boots: how long a first boot may take to an ssh login under TCG on
// a shared machine, the disk an instance gets (larger than the image, so
// the root must grow), its memory and its one vCPU (under TCG a second
// one only shares the same host thread, and the boot is slower).
const (
	cloudBootTimeout = 10 * time.Minute
	cloudDiskBytes   = 4 << 30
	cloudMemoryMiB   = 1024
	cloudCPUs        = 1
)

// cloudKeys are the ssh keys of a test run: root's, built into the image
// by local-config (as ./mage image:vm does with the builder's keys), and
// the one the metadata gives the default user.
type cloudKeys struct {
	root, user *guest.Key
}

// runKeys are made once a test run, in the cache's integration directory.
var runKeys struct {
	once sync.Once
	keys cloudKeys
	err  error
}

// testKeys returns the run's keys, making them first.
func testKeys(t *testing.T) cloudKeys {
	t.Helper()
	testenv.RequireCommands(t, "ssh", "ssh-keygen")
	k := &runKeys
	k.once.Do(func() {
		dir := filepath.Join(testenv.CacheDir(), "integration", "cloud-keys")
		if k.err = os.RemoveAll(dir); k.err != nil {
			return
		}
		if k.err = os.MkdirAll(dir, 0o700); k.err != nil {
			return
		}
		ctx := context.Background()
		if k.keys.root, k.err = guest.NewKey(ctx, dir, "root-key"); k.err != nil {
			return
		}
		k.keys.user, k.err = guest.NewKey(ctx, dir, "metadata-key")
	})
	require.NoError(t, k.err, "make the test's ssh keys")
	return k.keys
}

// builtCloudImage is an image built once for several boot tests.
type builtCloudImage struct {
	once sync.Once
	path string // the qcow2
	log  bytes.Buffer
	err  error
}

var cloudBuild, novaBuild builtCloudImage

// cloudImage builds (once) image:vm's flavours (base, vm, local-config) as
// a qcow2 and returns its path and the keys.
func cloudImage(t *testing.T) (string, cloudKeys) {
	t.Helper()
	return cloudBuild.get(t, "cloud", "base", "vm", "local-config")
}

// get builds the image of flavours (once), named name in the cache's
// integration directory, with root's key from local-config.
func (b *builtCloudImage) get(t *testing.T, name string, flavours ...string) (string, cloudKeys) {
	t.Helper()
	requireBoot(t)
	testenv.RequireCommands(t, "genisoimage")
	keys := testKeys(t)
	b.once.Do(func() {
		dir := filepath.Join(testenv.CacheDir(), "integration")
		if b.err = ensureDir(dir); b.err != nil {
			return
		}
		spec := images.Spec{
			Name: filepath.Join(dir, name), Flavours: flavours, Types: []string{"qcow2"},
			CacheDir: testenv.CacheDir(), Overwrite: true, Log: &b.log,
			Env: []string{"DIB_LOCAL_CONFIG_AUTHORIZED_KEYS=" + keys.root.Private + ".pub"},
		}
		var res *images.Result
		if res, b.err = images.Build(context.Background(), spec); b.err == nil {
			b.path = spec.Output("qcow2")
			t.Logf("%s image built in %s", name, res.Duration.Round(time.Second))
		}
	})
	if b.err != nil {
		t.Logf("build log:\n%s", b.log.String())
	}
	require.NoError(t, b.err, "build the %s image", name)
	return b.path, keys
}

// instance is one booted instance of an image.
type instance struct {
	vm  *qemu.VM
	ssh *guest.SSH
}

// bootInstance boots a fresh instance of image (an overlay of cloudDiskBytes
// on it) with a restricted user network forwarding a free port to its ssh
// port, letting it reboot, and with opts (drives, cards, SMBIOS, the guest
// agent). ssh logs in as user with key.
func bootInstance(t *testing.T, image, user string, key *guest.Key, opts ...qemu.Option) *instance {
	t.Helper()
	dir := t.TempDir()
	disk := filepath.Join(dir, "disk.qcow2")
	_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"qemu-img", "create", "-q", "-f", "qcow2",
		"-F", "qcow2", "-b", image, disk, strconv.Itoa(cloudDiskBytes)}})
	require.NoError(t, err)
	port, err := qemu.FreePort()
	require.NoError(t, err)
	base := []qemu.Option{qemu.WithDisk(disk, "qcow2"), qemu.WithMemory(cloudMemoryMiB), qemu.WithSMP(cloudCPUs),
		qemu.WithReboot(), qemu.WithUserNet(qemu.TCPFwd(port, 22))}
	vm := qemu.StartT(t, append(base, opts...)...)
	return &instance{vm: vm, ssh: &guest.SSH{Port: port, User: user, Key: key, KnownHosts: filepath.Join(dir, "known_hosts")}}
}

// login waits for the first ssh login and logs how long the boot took.
func (in *instance) login(t *testing.T, what string) {
	t.Helper()
	took, err := in.ssh.Wait(context.Background(), cloudBootTimeout)
	require.NoError(t, err, "ssh login as %s after the %s", in.ssh.User, what)
	t.Logf("%s to ssh login: %.1fs", what, took.Seconds())
}

// reboot reboots the guest from inside and waits for the next login; the
// known host keys must still match (StrictHostKeyChecking).
func (in *instance) reboot(t *testing.T) {
	t.Helper()
	_, err := in.ssh.Run(context.Background(), "sudo systemctl reboot")
	if err != nil {
		t.Logf("reboot: %v (the connection may end first)", err)
	}
	require.NoError(t, in.vm.Expect("reboot: Restarting system", 5*time.Minute), "the guest reboots")
	in.login(t, "reboot")
}
