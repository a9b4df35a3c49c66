package disk

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestMkfsExt4WritesTheTreeAtTheRootPartitionOffset(t *testing.T) {
	t.Parallel()
	root := Partition{Start: 66 * MiB, Size: 600 * MiB}
	s := ext4Spec{Tree: "/t", Image: "/o.raw", Part: root, Label: "cloudimg-rootfs", UUID: "u", HashSeed: "h"}
	assert.Equal(t, []string{"mkfs.ext4", "-q", "-F", "-t", "ext4", "-b", "4096", "-I", "256", "-i", "16384",
		"-L", "cloudimg-rootfs", "-U", "u", "-E", "offset=69206016,root_owner=0:0,hash_seed=h", "-d", "/t",
		"/o.raw", "153600"}, s.argv())
	s.Inodes, s.HashSeed = 100000, ""
	assert.Contains(t, s.argv(), "100000")
	assert.Contains(t, s.argv(), "offset=69206016,root_owner=0:0")
}

func TestESPIsFAT32AtItsOffsetWithDirectoriesMadeBeforeCopies(t *testing.T) {
	t.Parallel()
	s := espSpec{Image: "/o.raw", Part: Partition{Start: 2 * MiB, Size: 64 * MiB}, Serial: 0xabcd0012,
		Files: map[string]string{"/EFI/BOOT/BOOTX64.EFI": "/w/x.efi", "/EFI/debian/grubx64.efi": "/w/x.efi"}}
	assert.Equal(t, []string{"mkfs.fat", "-F", "32", "-s", "1", "-n", "EFI", "--invariant", "-i", "ABCD0012",
		"--offset=4096", "/o.raw", "65536"}, s.mkfsArgv())
	assert.Equal(t, "/o.raw@@2097152", s.mtoolsImage())
	assert.Equal(t, []string{"/EFI", "/EFI/BOOT", "/EFI/debian"}, s.dirs())
}

func TestFAT32ClustersGrowWithTheESPButStayAboveTheFAT32Minimum(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 1, clusterSectors(40*MiB))
	assert.Equal(t, 2, clusterSectors(128*MiB))
	assert.Equal(t, 8, clusterSectors(1024*MiB))
	for _, mib := range []int64{MinESPSizeMiB, 64, 100, 128, 300, MaxESPSizeMiB} {
		assert.GreaterOrEqual(t, mib*MiB/512/int64(clusterSectors(mib*MiB)), int64(65525), mib)
	}
}
