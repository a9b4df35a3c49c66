package disk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var testKernel = Kernel{
	Version: "6.12.48+deb13-amd64",
	Image:   "/boot/vmlinuz-6.12.48+deb13-amd64",
	Initrd:  "/boot/initrd.img-6.12.48+deb13-amd64",
}

func TestGrubCfgBootsTheKernelFromTheRootFoundByUUIDWithExtraArguments(t *testing.T) {
	t.Parallel()
	cfg := GrubCfg(BootConfig{
		Title:    "Debian GNU/Linux 13 (trixie)",
		RootUUID: "0b5f6a3e-1111-2222-3333-444455556666",
		Kernel:   testKernel,
		Cmdline:  append(append([]string(nil), BaseCmdline...), "net.ifnames=0"),
		Timeout:  1,
	})
	assert.Contains(t, cfg, "set timeout=1\n")
	assert.Contains(t, cfg, "terminal_output serial console\n")
	assert.Contains(t, cfg, "menuentry 'Debian GNU/Linux 13 (trixie)' {\n")
	assert.Contains(t, cfg, "\tsearch --no-floppy --fs-uuid --set=root 0b5f6a3e-1111-2222-3333-444455556666\n")
	assert.Contains(t, cfg, "\tlinux /boot/vmlinuz-6.12.48+deb13-amd64 root=UUID=0b5f6a3e-1111-2222-3333-444455556666 ro console=tty0 console=ttyS0,115200n8 net.ifnames=0\n")
	assert.Contains(t, cfg, "\tinitrd /boot/initrd.img-6.12.48+deb13-amd64\n")
	assert.True(t, strings.HasSuffix(cfg, "}\n"))
}

func TestGrubCfgOmitsInitrdWhenTheKernelHasNone(t *testing.T) {
	t.Parallel()
	k := testKernel
	k.Initrd = ""
	assert.NotContains(t, GrubCfg(BootConfig{RootUUID: "x", Kernel: k}), "initrd")
}

func TestFstabMountsRootAndESPByUUID(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "# Written by diskimage-builder: filesystems by UUID.\n"+
		"UUID=0b5f6a3e-1111-2222-3333-444455556666\t/\text4\terrors=remount-ro\t0\t1\n"+
		"UUID=ABCD-1234\t/boot/efi\tvfat\tumask=0077,x-systemd.device-timeout=5min\t0\t1\n",
		Fstab("0b5f6a3e-1111-2222-3333-444455556666", "ABCD-1234"))
}

func TestGrubenvIsAnEmptyKibibyteEnvironmentBlock(t *testing.T) {
	t.Parallel()
	env := Grubenv()
	assert.Len(t, env, 1024)
	assert.True(t, strings.HasPrefix(string(env), "# GRUB Environment Block\n###"))
}

func TestFindKernelPicksTheNewestByVersionOrderWithItsInitrd(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	writeFiles(t, tree, map[string]string{
		"boot/vmlinuz-6.12.9+deb13-amd64":     "k",
		"boot/vmlinuz-6.12.48+deb13-amd64":    "k",
		"boot/initrd.img-6.12.48+deb13-amd64": "i",
		"boot/vmlinuz-6.12.48~rc1-amd64":      "k",
		"boot/config-7.0.0-amd64":             "c",
	})
	require.NoError(t, os.Symlink("vmlinuz-6.12.9+deb13-amd64", filepath.Join(tree, "boot/vmlinuz-9.9")))
	k, err := FindKernel(tree)
	require.NoError(t, err)
	assert.Equal(t, testKernel, k)
}

func TestFindKernelWithoutKernelsSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	tree := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(tree, "boot"), 0o755))
	_, err := FindKernel(tree)
	assert.ErrorContains(t, err, "no /boot/vmlinuz-VERSION")
}
