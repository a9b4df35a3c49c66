package imageprops

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree makes a root tree holding files (path to content).
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return root
}

const trixie = "PRETTY_NAME=\"Debian GNU/Linux 13 (trixie)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"13\"\nVERSION_CODENAME=trixie\nID=debian\n"

func TestASecureBootImageAsksNovaForUEFIQ35AndSecureBootOptionalOrRequiredWhenAsked(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"usr/lib/os-release": trixie, "usr/sbin/qemu-ga": "elf"})
	require.NoError(t, os.Mkdir(filepath.Join(root, "etc"), 0o755))
	require.NoError(t, os.Symlink("../usr/lib/os-release", filepath.Join(root, "etc/os-release")))
	p, err := Of(Image{Arch: "amd64", Boot: SecureBoot, Tree: root})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"architecture":        "x86_64",
		"hw_disk_bus":         "virtio",
		"hw_firmware_type":    "uefi",
		"hw_machine_type":     "q35",
		"hw_qemu_guest_agent": "yes",
		"os_distro":           "debian",
		"os_secure_boot":      "optional",
		"os_type":             "linux",
		"os_version":          "13",
	}, p, "hosts without Secure Boot take it too: the same disk boots under BIOS and plain UEFI")
	p, err = Of(Image{Arch: "amd64", Boot: SecureBoot, SecureBootRequired: true, Tree: root})
	require.NoError(t, err)
	assert.Equal(t, "required", p["os_secure_boot"])
}

func TestAHybridImageBootsAsBIOSByDefaultWithoutSecureBootAndNoAgentWhenAbsent(t *testing.T) {
	t.Parallel()
	p, err := Of(Image{Arch: "amd64", Boot: Hybrid, Tree: tree(t, map[string]string{"etc/os-release": trixie})})
	require.NoError(t, err)
	assert.Equal(t, "bios", p["hw_firmware_type"])
	assert.Equal(t, "disabled", p["os_secure_boot"])
	assert.NotContains(t, p, "hw_machine_type")
	assert.NotContains(t, p, "hw_qemu_guest_agent")
	assert.Equal(t, "virtio", p["hw_disk_bus"])
}

func TestAPartitionImageHasNoFirmwareOrDiskBus(t *testing.T) {
	t.Parallel()
	p, err := Of(Image{Arch: "arm64", Boot: Partition, Tree: tree(t, map[string]string{"etc/os-release": trixie})})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"architecture": "aarch64", "os_type": "linux", "os_distro": "debian", "os_version": "13"}, p)
}

func TestOSReleaseValuesThatAreNotPlainWordsAreLeftOut(t *testing.T) {
	t.Parallel()
	root := tree(t, map[string]string{"etc/os-release": "ID=\"deb ian\"\nVERSION_ID=" + strings.Repeat("9", 100) + "\n"})
	p, err := Of(Image{Arch: "amd64", Boot: Hybrid, Tree: root})
	require.NoError(t, err)
	assert.NotContains(t, p, "os_distro")
	assert.NotContains(t, p, "os_version")
	p, err = Of(Image{Arch: "amd64", Boot: Hybrid, Tree: t.TempDir()})
	require.NoError(t, err, "no os-release: no os properties")
	assert.NotContains(t, p, "os_distro")
}

func TestAGuestAgentLinkLeavingTheTreeIsNotFollowed(t *testing.T) {
	t.Parallel()
	outside := filepath.Join(t.TempDir(), "qemu-ga")
	require.NoError(t, os.WriteFile(outside, []byte("host"), 0o755))
	root := tree(t, map[string]string{"etc/os-release": trixie})
	require.NoError(t, os.MkdirAll(filepath.Join(root, "usr/sbin"), 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "usr/sbin/qemu-ga")))
	p, err := Of(Image{Arch: "amd64", Boot: Hybrid, Tree: root})
	require.NoError(t, err)
	assert.NotContains(t, p, "hw_qemu_guest_agent", "the link resolves inside the tree, where nothing is")
}

func TestWriteWritesAJSONObjectOfStringsWithSortedKeys(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "vm.qcow2"+Suffix)
	require.NoError(t, Write(out, map[string]string{"os_type": "linux", "architecture": "x86_64"}))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "{\n  \"architecture\": \"x86_64\",\n  \"os_type\": \"linux\"\n}\n", string(b))
	var back map[string]string
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Len(t, back, 2)
}
