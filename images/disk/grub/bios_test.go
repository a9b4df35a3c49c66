package grub

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syntheticBootImg is a boot.img stand-in: every byte 0xb0 except the jump
// at the drive check.
func syntheticBootImg() []byte {
	b := bytes.Repeat([]byte{0xb0}, SectorSize)
	b[driveCheckOffset], b[driveCheckOffset+1] = 0xeb, 0x05
	return b
}

// protectiveMBR is a sector with a BPB area, a disk signature, one 0xEE
// partition entry and the boot signature.
func protectiveMBR() []byte {
	m := make([]byte, SectorSize)
	copy(m[bpbStart:bpbEnd], bytes.Repeat([]byte{0x11}, bpbEnd-bpbStart))
	copy(m[440:446], []byte{1, 2, 3, 4, 0, 0})
	m[446+4] = 0xee
	binary.LittleEndian.PutUint32(m[446+8:], 1)
	binary.LittleEndian.PutUint32(m[446+12:], 409599)
	m[510], m[511] = 0x55, 0xaa
	return m
}

func TestPatchMBRWritesBootCodePointingAtCoreAndKeepsThePartitionTable(t *testing.T) {
	t.Parallel()
	mbr := protectiveMBR()
	orig := append([]byte(nil), mbr...)
	require.NoError(t, PatchMBR(mbr, syntheticBootImg(), 2048))

	assert.Equal(t, orig[BootCodeSize:], mbr[BootCodeSize:], "signature, partition entries and 0x55aa kept")
	assert.Equal(t, orig[bpbStart:bpbEnd], mbr[bpbStart:bpbEnd], "BPB area kept")
	assert.Equal(t, uint64(2048), binary.LittleEndian.Uint64(mbr[0x5c:]))
	assert.Equal(t, []byte{0x90, 0x90}, mbr[0x66:0x68], "drive check jump replaced by NOPs")
	assert.Equal(t, bytes.Repeat([]byte{0xb0}, 3), mbr[:3])
	assert.Equal(t, bytes.Repeat([]byte{0xb0}, BootCodeSize-0x68), mbr[0x68:BootCodeSize])
}

func TestPatchMBRRejectsWrongSizes(t *testing.T) {
	t.Parallel()
	assert.ErrorContains(t, PatchMBR(make([]byte, 100), syntheticBootImg(), 1), "mbr is 100 bytes")
	assert.ErrorContains(t, PatchMBR(make([]byte, SectorSize), make([]byte, 10), 1), "boot.img is 10 bytes")
}

// syntheticCore is a core.img stand-in of n bytes whose first sector ends
// with diskboot.img's blocklist (start 2, length 0, segment 0x820).
func syntheticCore(n int) []byte {
	c := bytes.Repeat([]byte{0xc0}, n)
	e := c[blocklistOffset:SectorSize]
	binary.LittleEndian.PutUint64(e[0:], 2)
	binary.LittleEndian.PutUint16(e[8:], 0)
	binary.LittleEndian.PutUint16(e[10:], coreLoadSegment)
	return c
}

func TestPatchCoreLoadsTheSectorsAfterItsFirstOne(t *testing.T) {
	t.Parallel()
	core := syntheticCore(100*SectorSize + 7)
	require.NoError(t, PatchCore(core, 2048))
	e := core[0x1f4:0x200]
	assert.Equal(t, uint64(2049), binary.LittleEndian.Uint64(e[0:]), "start: core.img's second sector")
	assert.Equal(t, uint16(100), binary.LittleEndian.Uint16(e[8:]), "count: the 100 sectors after the first")
	assert.Equal(t, uint16(0x820), binary.LittleEndian.Uint16(e[10:]), "load segment unchanged")
	assert.Equal(t, byte(0xc0), core[0x1f3], "the next blocklist entry is untouched")
	assert.Equal(t, 101, CoreSectors(core))
}

func TestPatchCoreRejectsWhatIsNotAnI386PCCoreImage(t *testing.T) {
	t.Parallel()
	assert.ErrorContains(t, PatchCore(make([]byte, SectorSize), 1), "too short")
	assert.ErrorContains(t, PatchCore(make([]byte, 4*SectorSize), 1), "load segment")
}

func TestEmbeddedConfigFindsRootByUUIDAndSetsThePrefixThere(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "search --no-floppy --fs-uuid --set=root 1234\nset prefix=($root)/boot/grub\n", EmbeddedConfig("1234"))
}
