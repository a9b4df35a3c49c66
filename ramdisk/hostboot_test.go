package ramdisk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

var kernelDep = regexp.MustCompile(`Depends: (linux-image-[0-9][^\s]*)`)

// debianKernelRoot returns a module root made by unpacking the host
// release's kernel package (apt-get download, dpkg -x), kept in the test
// cache so that it is downloaded once.
func debianKernelRoot(t *testing.T) string {
	t.Helper()
	testenv.RequireCommands(t, "apt-get", "apt-cache", "dpkg-deb", "depmod")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := run.Output(ctx, "apt-cache", "depends", "linux-image-amd64")
	m := kernelDep.FindStringSubmatch(out)
	if err != nil || m == nil {
		testenv.Unavailable(t, fmt.Sprintf("apt knows no linux-image-amd64 (%v): run apt-get update", err))
	}
	dir := filepath.Join(testenv.CacheDir(), "test-kernels", m[1])
	kver := strings.TrimPrefix(m[1], "linux-image-")
	if _, err := os.Stat(filepath.Join(dir, "lib/modules", kver, "modules.dep")); err == nil {
		return dir
	}
	os.RemoveAll(dir)
	require.NoError(t, os.MkdirAll(filepath.Dir(dir), 0o755))
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-"+m[1]+"-")
	require.NoError(t, err)
	defer os.RemoveAll(tmp)
	_, err = run.Run(ctx, run.Cmd{Argv: []string{"apt-get", "download", "-q", m[1]}, Dir: tmp})
	require.NoError(t, err)
	debs, err := filepath.Glob(filepath.Join(tmp, "*.deb"))
	require.NoError(t, err)
	require.Len(t, debs, 1)
	_, err = run.Run(ctx, run.Cmd{Argv: []string{"dpkg-deb", "-x", debs[0], filepath.Join(tmp, "root")}})
	require.NoError(t, err)
	// The package leaves modules.dep to its postinst: make it as that does.
	_, err = run.Run(ctx, run.Cmd{Argv: []string{"depmod", "-b", filepath.Join(tmp, "root"), kver}})
	require.NoError(t, err)
	require.NoError(t, os.Rename(filepath.Join(tmp, "root"), dir))
	return dir
}

func TestAHostRamdiskBootsTheKernelOfADebianKernelPackage(t *testing.T) {
	t.Parallel()
	testenv.Short(t)
	testenv.RequireCommands(t, qemu.DefaultBinary, "busybox", "findmnt")
	modRoot := debianKernelRoot(t)
	res := buildOnce(t, "host", ramdisk.Spec{Host: true, ModuleRoot: modRoot, Env: os.Environ(),
		Flavours: []string{"ramdisk-test"}, FlavoursPath: []string{testFlavoursDir(t)}})
	start := time.Now()
	vm := bootRamdisk(t, res)
	require.NoError(t, vm.Expect("init: boot interface eth0", bootTimeout), "modules from the package drive the NIC")
	require.NoError(t, vm.Expect("DIB-RAMDISK-MARKER findmnt says /proc is proc", time.Minute))
	t.Logf("boot of the --host ramdisk to the marker under TCG: %.1fs", time.Since(start).Seconds())
	require.NoError(t, vm.Wait(time.Minute))
}
