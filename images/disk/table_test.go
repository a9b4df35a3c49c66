package disk

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPartitionTableReadsBackWithTypesOffsetsSizesAndGUIDs(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "disk.raw")
	l := layoutFor(200*MiB, 64*MiB)
	ids := NewIDs("table test")
	setGUIDs(&l, ids)

	f, err := os.Create(img)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(l.Size))
	bootCode := bytes.Repeat([]byte{0xab}, 440)
	_, err = f.WriteAt(bootCode, 0)
	require.NoError(t, err)
	require.NoError(t, writeTable(f, l, ids.Disk))
	require.NoError(t, f.Close())

	got, err := ReadLayout(img)
	require.NoError(t, err)
	assert.Equal(t, l, got)

	mbr := make([]byte, 512)
	f, err = os.Open(img)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.ReadAt(mbr, 0)
	require.NoError(t, err)
	assert.Equal(t, bootCode, mbr[:440], "boot code is left alone")
	entry := mbr[446:462]
	assert.Equal(t, byte(0xee), entry[4], "protective MBR partition type")
	assert.Equal(t, uint32(1), binary.LittleEndian.Uint32(entry[8:]))
	assert.Equal(t, uint32(l.Size/512-1), binary.LittleEndian.Uint32(entry[12:]))
	assert.Equal(t, []byte{0x55, 0xaa}, mbr[510:])

	hdr := make([]byte, 512)
	_, err = f.ReadAt(hdr, l.Size-512)
	require.NoError(t, err)
	assert.Equal(t, "EFI PART", string(hdr[:8]), "backup GPT header in the last sector")
}

func TestReadLayoutOfAFileWithoutGPTFailsNamingIt(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "blank.raw")
	require.NoError(t, os.WriteFile(img, make([]byte, 4*MiB), 0o644))
	_, err := ReadLayout(img)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), img), err.Error())
}
