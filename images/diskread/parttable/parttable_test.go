package parttable

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/partition/gpt"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
)

func read(b []byte) (string, []Partition, error) {
	return Read(bytes.NewReader(b), int64(len(b)))
}

func TestReadsCraftedGPTAndMBR(t *testing.T) {
	t.Parallel()
	data := make([]byte, 4096)
	kind, parts, err := read(craft.GPT(1<<20, craft.Part{Start: 40, Data: data}, craft.Part{Start: 100, Data: data}))
	require.NoError(t, err)
	assert.Equal(t, GPT, kind)
	assert.Equal(t, []Partition{
		{Number: 1, Start: 40 * 512, Size: 4096, Type: "0FC63DAF-8483-4772-8E79-3D69D8477DE4", Name: "p1"},
		{Number: 2, Start: 100 * 512, Size: 4096, Type: "0FC63DAF-8483-4772-8E79-3D69D8477DE4", Name: "p2"},
	}, parts)
	kind, parts, err = read(craft.MBR(1<<20, craft.Part{Start: 2048 / 512, Data: data, Type: 0x0c}))
	require.NoError(t, err)
	assert.Equal(t, MBR, kind)
	assert.Equal(t, []Partition{{Number: 1, Start: 2048, Size: 4096, Type: "0x0c"}}, parts)
}

// TestReadsGPTWrittenByGoDiskfs reads a table written by the library the
// image builder writes tables with.
func TestReadsGPTWrittenByGoDiskfs(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "disk")
	f, err := os.Create(img)
	require.NoError(t, err)
	defer f.Close()
	require.NoError(t, f.Truncate(4<<20))
	w, err := file.New(f, false).Writable()
	require.NoError(t, err)
	tab := &gpt.Table{LogicalSectorSize: 512, PhysicalSectorSize: 512, ProtectiveMBR: true, Partitions: []*gpt.Partition{
		{Index: 1, Start: 2048, End: 4095, Type: gpt.EFISystemPartition, Name: "ESP"},
		{Index: 2, Start: 4096, End: 8000, Type: gpt.LinuxFilesystem, Name: "root"}}}
	require.NoError(t, tab.Write(w, 4<<20))
	b, err := os.ReadFile(img)
	require.NoError(t, err)
	kind, parts, err := read(b)
	require.NoError(t, err)
	assert.Equal(t, GPT, kind)
	require.Len(t, parts, 2)
	assert.Equal(t, "ESP", parts[0].Name)
	assert.Equal(t, int64(4096*512), parts[1].Start)
	assert.Equal(t, int64(3905*512), parts[1].Size)
}

func TestDiskWithoutTableHasNoPartitions(t *testing.T) {
	t.Parallel()
	kind, parts, err := read(make([]byte, 4096))
	require.NoError(t, err)
	assert.Empty(t, kind)
	assert.Empty(t, parts)
	_, _, err = read(make([]byte, 512))
	require.ErrorIs(t, err, ErrTooSmall)
}

// TestGPTAskingForTerabytesIsRefused: a 64 KiB file whose GPT header
// announces 4096 entries of 4 GiB each; the first reader allocated them.
func TestGPTAskingForTerabytesIsRefused(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		count, size uint32
		lba         uint64
		want        string
	}{
		{4096, 0xffffffff, 2, "entry size is not 128"},
		{4096, 4096, 2, "entries do not fit the 128-sector disk"},
		{0xffffffff, 128, 2, "more than 4096 entries"},
		{128, 128, 1 << 62, "entries do not fit"},
	} {
		b := craft.GPT(64 << 10)
		binary.LittleEndian.PutUint64(b[512+0x48:], c.lba)
		binary.LittleEndian.PutUint32(b[512+0x50:], c.count)
		binary.LittleEndian.PutUint32(b[512+0x54:], c.size)
		_, _, err := read(b)
		require.ErrorContains(t, err, c.want, "%d entries of %d bytes at lba %d", c.count, c.size, c.lba)
	}
}

func TestGPTPartitionOutsideTheDiskIsRefused(t *testing.T) {
	t.Parallel()
	b := craft.GPT(64<<10, craft.Part{Start: 40, Data: make([]byte, 512)})
	binary.LittleEndian.PutUint64(b[1024+0x28:], 1<<40)
	_, _, err := read(b)
	require.ErrorContains(t, err, "partition 1 (sectors 40 to 1099511627776) does not fit the 128-sector disk")
}

// TestExtendedPartitionChainThatLoopsEnds: the second extended boot
// record names itself as the next one; the first reader listed 128
// logical partitions, all but the first the same.
func TestExtendedPartitionChainThatLoopsEnds(t *testing.T) {
	t.Parallel()
	ext := make([]byte, 64<<10)
	for _, ebr := range []int{0, 16} {
		e := ext[ebr*512:]
		e[0x1be+4] = 0x83
		binary.LittleEndian.PutUint32(e[0x1be+8:], 1)
		binary.LittleEndian.PutUint32(e[0x1be+12:], 8)
		e[0x1ce+4] = 0x05
		binary.LittleEndian.PutUint32(e[0x1ce+8:], 16) // from the extended partition's start
		e[510], e[511] = 0x55, 0xaa
	}
	kind, parts, err := read(craft.MBR(1<<20, craft.Part{Start: 8, Data: ext, Type: 0x05}))
	require.NoError(t, err)
	assert.Equal(t, MBR, kind)
	assert.Equal(t, []Partition{{Number: 5, Start: 9 * 512, Size: 8 * 512, Type: "0x83"},
		{Number: 6, Start: 25 * 512, Size: 8 * 512, Type: "0x83"}}, parts)
}
