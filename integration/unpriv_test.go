package integration

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// loginFlavours is the image a user without root builds and logs in to:
// the README's image:vm with the boot test's marker and a login user.
var loginFlavours = []string{"base", "vm", "local-config", "dib-test-boot", "dib-test-login"}

// unprivBuild is one build of loginFlavours, as root or as the test user.
type unprivBuild struct {
	name string // output name: NAME.tar (and NAME.qcow2 for the user)
	log  bytes.Buffer
	err  error
}

func TestAUserWithoutRootBuildsWhatRootBuildsAndItBootsWithOwnersSetuidAndCapabilities(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	requireBoot(t)
	u := testenv.UnprivilegedUser(t)
	bins := testenv.Commands(t)
	src, err := filepath.Abs("testdata/flavours")
	require.NoError(t, err)
	flavoursDir := testenv.CopyTree(t, src)
	keys := filepath.Join(testenv.OpenTempDir(t), "authorized_keys")
	require.NoError(t, os.WriteFile(keys, []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDibUnprivTest test@host\n"), 0o644))
	env := []string{"DIB_LOCAL_CONFIG_AUTHORIZED_KEYS=" + keys}

	asRoot := &unprivBuild{name: filepath.Join(t.TempDir(), "img")}
	asUser := &unprivBuild{name: filepath.Join(u.Dir(t), "img")}
	buildRoot := func() {
		// The same types as the user's: the disk stage adds the boot
		// loader's files to the tree the tar is written from.
		spec := images.Spec{Name: asRoot.name, Flavours: loginFlavours, Types: []string{"qcow2", "tar"}, Overwrite: true,
			FlavoursPath: []string{flavoursDir}, CacheDir: testenv.CacheDir(), Env: env, Log: &asRoot.log}
		_, asRoot.err = images.Build(context.Background(), spec)
	}
	buildUser := func() {
		argv := append([]string{filepath.Join(bins, "disk-image-create"), "-o", asUser.name, "-t", strings.Join(userTypes, ","),
			"--overwrite", "--flavours-path", flavoursDir}, loginFlavours...)
		cmd := u.Command(context.Background(), env, argv...)
		cmd.Stdout, cmd.Stderr = &asUser.log, &asUser.log
		asUser.err = cmd.Run()
	}
	// Root and the user build at the same time, each in its own cache.
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); buildRoot() }()
	go func() { defer wg.Done(); buildUser() }()
	wg.Wait()
	for _, b := range []*unprivBuild{asRoot, asUser} {
		require.NoError(t, b.err, "build %s:\n%s", b.name, b.log.String())
	}
	t.Logf("the user's build:\n%s", asUser.log.String())

	const status = "var/lib/dpkg/status"
	rootMeta, rootFiles := tarMeta(t, asRoot.name+".tar", status)
	userMeta, userFiles := tarMeta(t, asUser.name+".tar", status)
	if rootFiles[status] != userFiles[status] {
		// The mirror moved between the two bases: the older is made again.
		rebuild := sameBase(t, u, flavoursDir, env, buildRoot, buildUser)
		rebuild()
		require.NoError(t, asRoot.err, asRoot.log.String())
		require.NoError(t, asUser.err, asUser.log.String())
		rootMeta, rootFiles = tarMeta(t, asRoot.name+".tar", status)
		userMeta, userFiles = tarMeta(t, asUser.name+".tar", status)
		require.Equal(t, rootFiles[status], userFiles[status], "both bases have the same packages")
	}
	diff, n := metaDiff(rootMeta, userMeta, 40)
	assert.Zero(t, n, "paths whose owner, group, mode, xattrs or links differ (root | user):\n%s", strings.Join(diff, "\n"))
	t.Logf("%d paths compared", len(rootMeta))
	assert.Equal(t, pathMeta{Type: '0', UID: 0, GID: 42, Mode: 0o640}, rootMeta["etc/shadow"], "root:shadow 0640")
	assert.Equal(t, int64(0o4755), userMeta["usr/bin/sudo"].Mode, "sudo is setuid")
	assert.Contains(t, userMeta["usr/local/bin/dib-capcat"].Xattrs, "security.capability")
	for _, typ := range userTypes {
		fi, err := os.Stat(asUser.name + "." + typ)
		require.NoError(t, err)
		assert.Equal(t, uint32(u.UID), fi.Sys().(*syscall.Stat_t).Uid, "the user owns its output")
	}
	checkSameDisk(t, asUser.name)

	disk := copyDisk(t, asUser.name+".qcow2")
	t.Run("SeaBIOS", func(t *testing.T) { bootAndLogIn(t, disk) })
	t.Run("OVMF", func(t *testing.T) { bootAndLogIn(t, disk, qemu.WithUEFI()) })
}

// userTypes are the outputs the user's build writes: every disk type and
// the tar compared with root's.
var userTypes = []string{"qcow2", "raw", "vhd", "vmdk", "tar"}

// checkSameDisk checks that the raw, vhd and vmdk outputs of name hold the
// disk its qcow2 holds (the one booted), each in its format.
func checkSameDisk(t *testing.T, name string) {
	t.Helper()
	for typ, format := range map[string]string{"raw": "raw", "vhd": "vpc", "vmdk": "vmdk"} {
		out, err := run.Output(context.Background(), "qemu-img", "compare", "-f", format, "-F", "qcow2", name+"."+typ, name+".qcow2")
		assert.NoError(t, err, "the %s output holds the qcow2's disk: %s", typ, out)
	}
}

// bootAndLogIn boots disk (qcow2) to the dib-test-boot marker, makes the
// boot tests' checks, logs in as dibtest on the serial console and checks
// that sudo (setuid root), /etc/shadow's owners and dib-capcat's file
// capability work, then powers the machine off.
func bootAndLogIn(t *testing.T, disk string, opts ...qemu.Option) {
	vm := qemu.StartT(t, append(opts, qemu.WithDisk(disk, "qcow2"), qemu.WithSMP(2))...)
	m, err := vm.ExpectRE(markerRE, bootTimeout)
	require.NoError(t, err)
	assert.Equal(t, "1", m[1], "first-boot.d ran once, on the first boot")
	assert.NotEmpty(t, m[2])
	assert.Equal(t, m[2], m[3], "the root filesystem is the one fstab names")
	assert.Equal(t, "vfat", m[4], "the ESP is mounted at /boot/efi from fstab")
	assert.Equal(t, "yes", m[5], "first-boot ran before rc.local")

	require.NoError(t, vm.Login("dibtest", "dibtest-password", 3*time.Minute))
	out, err := vm.Run("sudo -n id -u", "DIB-SUDO=", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "0", out, "sudo, setuid root, works")
	out, err = vm.Run("stat -c %U:%G:%a /etc/shadow", "DIB-SHADOW=", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "root:shadow:640", out)
	out, err = vm.Run("/usr/local/bin/dib-capcat /proc/self/status | awk '/^CapEff/ { print $2 }'", "DIB-CAP=", time.Minute)
	require.NoError(t, err)
	assert.Equal(t, "0000000000002000", out, "dib-capcat runs with cap_net_raw, its file capability")
	require.NoError(t, vm.Type("sudo -n poweroff\n"))
	require.NoError(t, vm.Wait(2*time.Minute), "the guest powers off")
}

// sameBase returns what makes the older of root's and the user's cached
// bases again (removed, then rebuilt with the build that uses it), when
// the mirror moved between the two bootstraps.
func sameBase(t *testing.T, u *testenv.User, flavoursDir string, env []string, buildRoot, buildUser func()) func() {
	spec := images.Spec{Name: filepath.Join(t.TempDir(), "x"), Flavours: loginFlavours, FlavoursPath: []string{flavoursDir},
		CacheDir: testenv.CacheDir(), Env: env}
	plan, err := spec.Plan()
	require.NoError(t, err)
	rootBase := plan.Root.Base().Path()
	o := plan.Root.Base()
	o.CacheDir = filepath.Join(u.Home, ".cache", "image-create")
	userBase := o.Path()
	rfi, err := os.Stat(rootBase)
	require.NoError(t, err)
	ufi, err := os.Stat(userBase)
	require.NoError(t, err)
	older, rebuild := rootBase, buildRoot
	if ufi.ModTime().Before(rfi.ModTime()) {
		older, rebuild = userBase, buildUser
	}
	t.Logf("the bases have other packages (the mirror moved): making %s again", older)
	require.NoError(t, bootstrap.Discard(older))
	return rebuild
}
