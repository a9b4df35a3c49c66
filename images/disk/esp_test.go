package disk

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// makeTestESP makes an ESP at 1 MiB in a new image file with two files.
func makeTestESP(t *testing.T, at time.Time) string {
	t.Helper()
	dir := t.TempDir()
	img := filepath.Join(dir, "disk.raw")
	require.NoError(t, os.WriteFile(img, nil, 0o644))
	require.NoError(t, os.Truncate(img, 66*MiB))
	efi := filepath.Join(dir, "x.efi")
	require.NoError(t, os.WriteFile(efi, []byte("MZ not really"), 0o644))
	s := espSpec{Image: img, Part: Partition{Start: MiB, Size: 64 * MiB}, Serial: 0x1234abcd, Epoch: at,
		Files: map[string]string{"/EFI/BOOT/BOOTX64.EFI": efi, "/EFI/debian/grubx64.efi": efi}}
	require.NoError(t, makeESP(context.Background(), s, nil))
	return img
}

func TestAnESPMadeTwiceWithOneEpochIsTheSameBytesAndDatedByIt(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "mkfs.fat", "mmd", "mcopy", "mdir")
	at := time.Date(2026, 11, 21, 9, 15, 44, 0, time.UTC)
	a := makeTestESP(t, at)
	time.Sleep(2100 * time.Millisecond) // FAT counts two seconds
	b := makeTestESP(t, at)
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(da, db), "the same bytes")

	out, err := run.Run(context.Background(), run.Cmd{Argv: []string{"mdir", "-i", a + "@@" + strconv.Itoa(MiB), "::/EFI/BOOT"},
		Env: append(os.Environ(), "MTOOLS_SKIP_CHECK=1", "TZ=UTC")})
	require.NoError(t, err)
	assert.Contains(t, out, "2026-11-21   9:15", "mtools dated the files with the epoch")

	// The volume label's entry is the first of the root directory.
	bs := da[MiB : MiB+512]
	le := binary.LittleEndian
	root := int64(MiB) + (int64(le.Uint16(bs[14:]))+int64(bs[16])*int64(le.Uint32(bs[36:])))*int64(le.Uint16(bs[11:]))
	label := da[root : root+32]
	assert.Equal(t, "EFI        ", string(label[:11]))
	date, tm := fatTime(at)
	assert.Equal(t, tm, le.Uint16(label[22:]))
	assert.Equal(t, date, le.Uint16(label[24:]))
	assert.Equal(t, date, le.Uint16(label[16:]), "creation date")
}

func TestFATTimesStayWithinTheYearsFATHolds(t *testing.T) {
	t.Parallel()
	d, tm := fatTime(time.Unix(0, 0))
	assert.Equal(t, uint16(1<<5|1), d, "1980-01-01")
	assert.Equal(t, uint16(0), tm)
	d, tm = fatTime(time.Date(2026, 11, 21, 9, 15, 44, 0, time.UTC))
	assert.Equal(t, uint16(46<<9|11<<5|21), d)
	assert.Equal(t, uint16(9<<11|15<<5|22), tm)
}
