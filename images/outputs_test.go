package images_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/diskread/parttable"
	"github.com/tripleo/diskimage-builder/images/imageprops"
)

func TestOneBuildWritesEveryOutputTypeWithChecksumsAndMovesOldOnesAside(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "every", "dib-test-blockdev")
	spec.Types = []string{"qcow2", "raw", "vhd", "vmdk", "tar"}
	spec.Checksum = true
	spec.Size = 2 << 30
	spec.SourceDateEpoch = sourceDateEpoch
	old := spec.Name + ".qcow2"
	require.NoError(t, os.WriteFile(old, []byte("an older image"), 0o644))
	log := spec.Log.(*testLog)

	res, err := images.Build(context.Background(), spec)
	require.NoError(t, err)
	require.Len(t, res.Outputs, 5)

	formats := map[string]string{"qcow2": "qcow2", "raw": "raw", "vhd": "vpc", "vmdk": "vmdk"}
	for typ, format := range formats {
		info := qemuInfo(t, spec.Name+"."+typ)
		assert.Equal(t, format, info.Format, typ)
		assert.GreaterOrEqual(t, info.VirtualSize, int64(2<<30), "%s virtual size", typ)
	}
	assert.Equal(t, int64(2<<30), qemuInfo(t, spec.Name+".raw").VirtualSize, "--image-size is the disk size")
	assert.Equal(t, "zlib", qemuInfo(t, spec.Name+".qcow2").FormatSpecific.Data.CompressionType, "every QEMU reads it")
	out, err := exec.Command("qemu-img", "check", spec.Name+".qcow2").CombinedOutput()
	assert.NoError(t, err, "%s", out)
	for _, typ := range spec.Types {
		out := spec.Name + "." + typ
		sum, err := os.ReadFile(out + ".sha256")
		require.NoError(t, err)
		assert.Equal(t, sha256File(t, out)+"  "+filepath.Base(out)+"\n", string(sum))
		assert.FileExists(t, out+".md5")
		fi, err := os.Stat(out)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm())
	}
	// Each disk output has its image properties beside it; the tar has none.
	for typ := range formats {
		b, err := os.ReadFile(spec.Name + "." + typ + imageprops.Suffix)
		require.NoError(t, err, typ)
		var props map[string]string
		require.NoError(t, json.Unmarshal(b, &props), typ)
		assert.Equal(t, "13", props["os_version"])
		switch typ {
		case "qcow2", "raw": // libvirt's
			assert.Equal(t, "debian", props["os_distro"])
			assert.Equal(t, "optional", props["os_secure_boot"], "the vm flavour boots with and without Secure Boot")
			assert.Equal(t, "uefi", props["hw_firmware_type"])
		case "vmdk": // VMware's
			assert.Equal(t, "streamOptimized", props["vmware_disktype"])
			assert.NotContains(t, props, "hw_machine_type")
		default: // vhd: the format-neutral ones
			assert.NotContains(t, props, "hw_machine_type")
			assert.NotContains(t, props, "os_secure_boot")
		}
	}
	assert.NoFileExists(t, spec.Name+".tar"+imageprops.Suffix)
	// The old qcow2 was moved aside with a timestamp, intact.
	aside, _ := filepath.Glob(old + ".2*")
	require.Len(t, aside, 1)
	data, _ := os.ReadFile(aside[0])
	assert.Equal(t, "an older image", string(data))
	// No temporary file is left beside the outputs.
	tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(spec.Name), ".*.tmp-*"))
	assert.Empty(t, tmps)

	// The partition layout read back from the raw disk.
	fh, err := os.Open(spec.Name + ".raw")
	require.NoError(t, err)
	defer fh.Close()
	kind, parts, err := parttable.Read(fh, 2<<30)
	require.NoError(t, err)
	require.Equal(t, parttable.GPT, kind)
	require.Len(t, parts, 3)
	bios, esp, root := parts[0], parts[1], parts[2]
	assert.Equal(t, disk.TypeBIOSBoot, strings.ToUpper(bios.Type))
	assert.Equal(t, disk.TypeESP, strings.ToUpper(esp.Type))
	assert.Equal(t, disk.TypeLinux, strings.ToUpper(root.Type))
	assert.Equal(t, int64(disk.MiB), bios.Start)
	assert.Equal(t, int64(disk.MiB), bios.Size)
	assert.Equal(t, int64(64*disk.MiB), esp.Size)
	assert.Equal(t, esp.Start+esp.Size, root.Start)
	assert.Equal(t, int64(2<<30)-disk.MiB, root.Start+root.Size, "root fills the disk up to the backup GPT")

	// The block-device hook ran on the raw file and its change is in the outputs.
	assert.Contains(t, log.String(), "root="+res.RootUUID+" offset="+itoa(root.Start))
	sig := make([]byte, 21)
	_, err = fh.ReadAt(sig, 512*40)
	require.NoError(t, err)
	assert.Equal(t, "DIB-BLOCK-DEVICE-HOOK", string(sig))
	checkStampedWith(t, spec, sourceDateEpoch) // SOURCE_DATE_EPOCH honoured
}

func TestAFailingBlockDeviceHookLeavesNoOutputAndNothingMounted(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "bdfail", "dib-test-blockdev-fail")
	spec.Types = []string{"qcow2", "raw"}
	_, err := images.Build(context.Background(), spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dib-test-blockdev-fail/block-device.d/10-fail failed: exit status 4")
	outs, _ := os.ReadDir(filepath.Dir(spec.Name))
	assert.Empty(t, outs, "no output, not even a temporary one")
	tmp, _ := os.ReadDir(spec.TmpDir)
	assert.Empty(t, tmp, "the build directory was removed")
	assert.Empty(t, leftovers(t, "", spec.TmpDir))
}

func TestAnImageSizeTooSmallForTheBaseIsRefusedBeforeTheHooksRun(t *testing.T) {
	requireBuilder(t)
	spec := testSpec(t, "small", "dib-test-blockdev")
	spec.Size = 100 << 20
	_, err := images.Build(context.Background(), spec)
	require.Error(t, err)
	assert.True(t, images.IsInputError(err), "%v", err)
	assert.Contains(t, err.Error(), "too small")
	assert.NotContains(t, spec.Log.(*testLog).String(), "block-device.d")
	outs, _ := os.ReadDir(filepath.Dir(spec.Name))
	assert.Empty(t, outs)
}

type imgInfo struct {
	Format         string `json:"format"`
	VirtualSize    int64  `json:"virtual-size"`
	FormatSpecific struct {
		Data struct {
			CompressionType string `json:"compression-type"`
		} `json:"data"`
	} `json:"format-specific"`
}

func qemuInfo(t *testing.T, path string) imgInfo {
	t.Helper()
	out, err := exec.Command("qemu-img", "info", "--output=json", path).Output()
	require.NoError(t, err, path)
	var info imgInfo
	require.NoError(t, json.Unmarshal(out, &info))
	return info
}

func sha256File(t *testing.T, p string) string {
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
