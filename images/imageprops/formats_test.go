package imageprops

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEachDiskFormatGetsThePropertiesOfTheHypervisorsThatReadIt(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"etc/os-release": trixie, "usr/sbin/qemu-ga": "elf"})
	p, err := Of(Image{Arch: "amd64", Boot: SecureBoot, Tree: root})
	require.NoError(t, err)
	assert.Equal(t, p, ForFormat(p, "qcow2"))
	assert.Equal(t, p, ForFormat(p, "raw"))
	assert.Equal(t, map[string]string{"architecture": "x86_64", "os_type": "linux", "os_version": "13",
		"vmware_disktype": "streamOptimized", "vmware_adaptertype": "lsiLogic", "vmware_ostype": "debian10_64Guest"},
		ForFormat(p, "vmdk"), "VMware's driver reads vmware_*, none of libvirt's hw_*; os_distro would override vmware_ostype")
	assert.Equal(t, map[string]string{"architecture": "x86_64", "os_distro": "debian", "os_type": "linux", "os_version": "13"},
		ForFormat(p, "vhd"), "the format-neutral ones alone")
	p["os_distro"], p["os_version"] = "ubuntu", "24.04"
	assert.Equal(t, "otherLinux64Guest", ForFormat(p, "vmdk")["vmware_ostype"])
}

func TestTheUploadCommandRunsThroughAShellWithEveryPropertyAsOneArgument(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(bin, "openstack"), []byte("#!/bin/sh\nprintf '%s\\n' \"$@\"\n"), 0o755))
	props := map[string]string{"os_distro": "debian", "hw_firmware_type": "uefi", "odd": "it's $HOME; `id` \"x\""}
	file := filepath.Join(t.TempDir(), "my vm.qcow2")
	cmd := UploadCommand("vm", file, "qcow2", props)
	sh := exec.Command("sh", "-c", cmd)
	sh.Env = []string{"PATH=" + bin + ":/usr/bin:/bin", "HOME=/nowhere"}
	out, err := sh.Output()
	require.NoError(t, err, cmd)
	assert.Equal(t, []string{"image", "create", "--disk-format", "qcow2", "--container-format", "bare",
		"--property", "hw_firmware_type=uefi", "--property", "odd=it's $HOME; `id` \"x\"", "--property", "os_distro=debian",
		"--file", file, "vm"}, strings.Split(strings.TrimSuffix(string(out), "\n"), "\n"))
	assert.Contains(t, cmd, "--property os_distro=debian", "plain words stay plain")
}
