package grub

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testbase"
)

func testTree(t *testing.T) string {
	t.Helper()
	if tree := os.Getenv("DIB_TEST_TREE"); tree != "" {
		return tree
	}
	return testbase.Tree(t)
}

func TestMkimageMakesACoreImageWhoseBlocklistCountsItsSectors(t *testing.T) {
	t.Parallel()
	tree := testTree(t)
	out := filepath.Join(t.TempDir(), "core.img")
	img := Image{Platform: PC, Modules: PCModules, Config: EmbeddedConfig("1234")}
	require.NoError(t, Mkimage(context.Background(), tree, img, out, nil))
	core, err := os.ReadFile(out)
	require.NoError(t, err)
	e := core[blocklistOffset:SectorSize]
	assert.Equal(t, uint16(CoreSectors(core)-1), binary.LittleEndian.Uint16(e[8:]), "grub-mkimage fills the count PatchCore writes")
	assert.Equal(t, uint16(coreLoadSegment), binary.LittleEndian.Uint16(e[10:]))
	assert.Less(t, len(core), 1<<20, "fits the 1 MiB BIOS boot partition")
}

func TestMkimageMakesAnEFIApplication(t *testing.T) {
	t.Parallel()
	tree := testTree(t)
	out := filepath.Join(t.TempDir(), "BOOTX64.EFI")
	img := Image{Platform: EFI, Modules: EFIModules, Config: EmbeddedConfig("1234")}
	require.NoError(t, Mkimage(context.Background(), tree, img, out, nil))
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "MZ", string(b[:2]))
	pe := binary.LittleEndian.Uint32(b[0x3c:])
	assert.Equal(t, "PE\x00\x00", string(b[pe:pe+4]))
	assert.Equal(t, uint16(0x8664), binary.LittleEndian.Uint16(b[pe+4:]), "x86-64 machine type")
}

func TestMkimageForAPlatformTheTreeLacksSaysSo(t *testing.T) {
	t.Parallel()
	err := Mkimage(context.Background(), t.TempDir(), Image{Platform: PC}, filepath.Join(t.TempDir(), "x"), nil)
	assert.ErrorContains(t, err, "no GRUB modules for the platform")
}
