package fatfs

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
)

// Each test here crafts a hostile FAT that made the first reader (or
// go-diskfs under it) loop or allocate without bound, and checks that it
// is now an error.

const kernel = "vmlinuz-6.12.10-amd64" // 2100 bytes: five clusters

func TestFileClusterChainThatLoopsIsAnError(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(12, 200, sample())
	first := f.Clusters[kernel]
	f.SetEntry(first+3, uint32(first+1)) // 1 2 3 4 2 3 4 ...
	_, err := fs.ReadFile(open(t, f.Bytes), kernel)
	require.ErrorContains(t, err, "loops at cluster")
}

func TestDirectoryClusterChainThatLoopsIsAnError(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(16, 4200, sample())
	first := f.Clusters["EFI"]
	f.SetEntry(first, uint32(first))
	_, err := open(t, f.Bytes).ReadDir("EFI")
	require.ErrorContains(t, err, "loops at cluster")
}

func TestClusterChainLeadingToAFreeClusterIsAnError(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(12, 200, sample())
	f.SetEntry(f.Clusters[kernel]+1, 0)
	_, err := fs.ReadFile(open(t, f.Bytes), kernel)
	require.ErrorContains(t, err, "leads to cluster 0")
}

func TestClusterChainShorterThanItsFileIsAnError(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(12, 200, sample())
	f.SetEntry(f.Clusters[kernel]+1, 0xfff)
	_, err := fs.ReadFile(open(t, f.Bytes), kernel)
	require.ErrorContains(t, err, "has 2 clusters, the file's 2100 bytes need 5")
}

// TestHugeSectorsPerFATIsRefused: go-diskfs allocated the FAT as the boot
// sector sized it, gigabytes for a 64 KiB file.
func TestHugeSectorsPerFATIsRefused(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(12, 200, sample())
	binary.LittleEndian.PutUint16(f.Bytes[0x16:], 0xffff)
	_, err := Open(bytes.NewReader(f.Bytes), int64(len(f.Bytes)))
	require.ErrorContains(t, err, "do not fit")

	b := fat32BootSector(0x7fffffff, 2)
	_, err = Open(bytes.NewReader(b), int64(len(b)))
	require.ErrorContains(t, err, "do not fit")
}

func TestFATTooSmallForItsClustersIsRefused(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(16, 4200, sample())
	binary.LittleEndian.PutUint16(f.Bytes[0x16:], 1)
	_, err := Open(bytes.NewReader(f.Bytes), int64(len(f.Bytes)))
	require.ErrorContains(t, err, "cannot map")
}

func TestFAT32RootClusterOutOfRangeIsRefused(t *testing.T) {
	t.Parallel()
	b := fat32BootSector(600, 0x0ffffff0)
	_, err := Open(bytes.NewReader(b), int64(len(b)))
	require.ErrorContains(t, err, "root directory cluster 268435440")
}

func TestGeometryLargerThanThePartitionIsRefused(t *testing.T) {
	t.Parallel()
	f := craft.BuildFAT(12, 200, sample())
	_, err := Open(bytes.NewReader(f.Bytes), int64(len(f.Bytes))-512)
	require.ErrorContains(t, err, "do not fit the")
}

// fat32BootSector returns a 34 MiB FAT32 (70,000 clusters of 512 bytes)
// whose only content is its boot sector, with the given FAT size and root
// cluster.
func fat32BootSector(fatSectors, root uint32) []byte {
	const total = 72000
	b := make([]byte, total*512)
	copy(b, []byte{0xeb, 0x58, 0x90})
	binary.LittleEndian.PutUint16(b[0xb:], 512)
	b[0xd], b[0x10] = 1, 2
	binary.LittleEndian.PutUint16(b[0xe:], 32)
	binary.LittleEndian.PutUint32(b[0x20:], total)
	binary.LittleEndian.PutUint32(b[0x24:], fatSectors)
	binary.LittleEndian.PutUint32(b[0x2c:], root)
	b[510], b[511] = 0x55, 0xaa
	return b
}
