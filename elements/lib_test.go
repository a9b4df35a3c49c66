package elements

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// selectKernel writes the library to a directory, then sources its
// img-functions in bash and calls select_boot_kernel_initrd on root.
func selectKernel(t *testing.T, root string, env ...string) (string, error) {
	t.Helper()
	testenv.RequireCommands(t, "bash")
	lib := filepath.Join(t.TempDir(), "lib")
	require.NoError(t, WriteLib(lib))
	cmd := exec.Command("bash", "-c", `set -eu; source "$_LIB/img-functions"; select_boot_kernel_initrd "$1"; echo "$BOOTDIR $KERNEL $RAMDISK"`, "x", root)
	cmd.Env = append([]string{"_LIB=" + lib, "PATH=/usr/bin:/bin"}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestSelectBootKernelInitrdPicksTheNewestKernelByVersion(t *testing.T) {
	root := tree(t, map[string]string{
		"etc/debian_version":                     "13.0\n",
		"boot/vmlinuz-6.1.0-9-amd64":             "k9",
		"boot/vmlinuz-6.1.0-10-amd64":            "k10",
		"boot/initrd.img-6.1.0-9-amd64":          "i9",
		"boot/initrd.img-6.1.0-10-amd64":         "i10",
		"boot/System.map-6.1.0-10-amd64":         "m",
		"boot/vmlinuz-6.1.0-10-amd64.efi.signed": "s",
	})
	out, err := selectKernel(t, root)
	require.NoError(t, err, out)
	assert.Equal(t, root+"/boot vmlinuz-6.1.0-10-amd64 initrd.img-6.1.0-10-amd64\n", out, "10 sorts after 9, and the signed copy is left out")

	out, err = selectKernel(t, root, "DIB_BAREMETAL_KERNEL_PATTERN=vmlinuz-*-9-*", "DIB_BAREMETAL_INITRD_PATTERN=initrd.img-*-9-*")
	require.NoError(t, err, out)
	assert.Equal(t, root+"/boot vmlinuz-6.1.0-9-amd64 initrd.img-6.1.0-9-amd64\n", out, "the patterns choose")
}

func TestSelectBootKernelInitrdFailsWithTheReason(t *testing.T) {
	noKernel := tree(t, map[string]string{"etc/debian_version": "13.0\n", "boot/initrd.img-6.1.0-9-amd64": "i"})
	out, err := selectKernel(t, noKernel)
	require.Error(t, err)
	assert.Contains(t, out, "no kernel matching")

	notDebian := tree(t, map[string]string{"etc/redhat-release": "x\n", "boot/vmlinuz-1": "k"})
	out, err = selectKernel(t, notDebian)
	require.Error(t, err)
	assert.Contains(t, out, "is not a Debian root")
}
