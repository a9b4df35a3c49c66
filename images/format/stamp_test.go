package format

import (
	"bytes"
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// rawDisk is a small raw disk with some data in it.
func rawDisk(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.raw")
	data := make([]byte, 8<<20)
	for i := 0; i < len(data); i += 4096 {
		copy(data[i:], "diskimage-builder")
	}
	require.NoError(t, os.WriteFile(p, data, 0o644))
	return p
}

// convertTwice converts raw to type typ twice, a second apart, under
// temporary names like a build's.
func convertTwice(t *testing.T, raw, typ string) (string, string) {
	t.Helper()
	testenv.RequireCommands(t, "qemu-img")
	var out []string
	for i := 0; i < 2; i++ {
		fh, err := os.CreateTemp(t.TempDir(), ".out."+typ+".tmp-")
		require.NoError(t, err)
		fh.Close()
		require.NoError(t, Convert(context.Background(), raw, fh.Name(), typ, None))
		out = append(out, fh.Name())
		if i == 0 {
			time.Sleep(1100 * time.Millisecond) // the vhd footer counts seconds
		}
	}
	return out[0], out[1]
}

// sameBytes reports whether a and b hold the same bytes; when they do
// not, it logs the sizes and the first offset where they differ, with the
// bytes around it, so that a rare difference names its field.
func sameBytes(t *testing.T, a, b string) bool {
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	if bytes.Equal(da, db) {
		return true
	}
	i := 0
	for i < len(da) && i < len(db) && da[i] == db[i] {
		i++
	}
	lo := max(0, i-32)
	t.Logf("%s (%d bytes) and %s (%d bytes) differ first at offset %d: %q / %q", a, len(da), b, len(db), i,
		da[lo:min(len(da), i+32)], db[lo:min(len(db), i+32)])
	return false
}

func TestStampedVHDsOfOneDiskAreTheSameBytesAndReadBack(t *testing.T) {
	t.Parallel()
	raw := rawDisk(t)
	a, b := convertTwice(t, raw, "vhd")
	require.False(t, sameBytes(t, a, b), "qemu-img stamps the clock and a random UUID")
	st := Stamps{Time: time.Unix(1795252544, 0), VHDUUID: uuid.MustParse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"), Name: "out.vhd"}
	for _, p := range []string{a, b} {
		require.NoError(t, Stamp(p, "vhd", st))
	}
	assert.True(t, sameBytes(t, a, b))

	f, err := ReadVHDFooter(a)
	require.NoError(t, err, "the checksum is right")
	assert.Equal(t, st.VHDUUID, f.UUID)
	assert.Equal(t, st.Time.UTC(), f.Time)
	head := make([]byte, vhdFooterSize)
	fh, err := os.Open(a)
	require.NoError(t, err)
	defer fh.Close()
	_, err = fh.ReadAt(head, 0)
	require.NoError(t, err)
	tail, err := readTail(a, vhdFooterSize)
	require.NoError(t, err)
	assert.Equal(t, tail, head, "a dynamic disk's copy of the footer is stamped too")
	_, err = run.Output(context.Background(), "qemu-img", "compare", "-f", "vpc", "-F", "raw", a, raw)
	assert.NoError(t, err, "qemu-img reads the raw disk's content from it")
}

func TestAVHDStampBefore2000IsTheStartOfVHDTime(t *testing.T) {
	t.Parallel()
	a, _ := convertTwice(t, rawDisk(t), "vhd")
	require.NoError(t, StampVHD(a, VHDFooter{Time: time.Unix(0, 0)}))
	f, err := ReadVHDFooter(a)
	require.NoError(t, err)
	assert.Equal(t, vhdEpoch, f.Time)
}

func TestStampedVMDKsOfOneDiskAreTheSameBytesAndNameTheirFile(t *testing.T) {
	t.Parallel()
	raw := rawDisk(t)
	a, b := convertTwice(t, raw, "vmdk")
	d, err := ReadVMDK(a)
	require.NoError(t, err)
	assert.Equal(t, filepath.Base(a), d.Extent, "qemu-img names the temporary file")
	for _, p := range []string{a, b} {
		require.NoError(t, Stamp(p, "vmdk", Stamps{VMDKCID: 0x0badcafe, Name: "image.vmdk"}))
	}
	assert.True(t, sameBytes(t, a, b))
	d, err = ReadVMDK(a)
	require.NoError(t, err)
	assert.Equal(t, VMDKDescriptor{CID: 0x0badcafe, Extent: "image.vmdk"}, d)
	_, err = run.Output(context.Background(), "qemu-img", "compare", "-f", "vmdk", "-F", "raw", a, raw)
	assert.NoError(t, err, "qemu-img reads the raw disk's content from it")

	assert.ErrorContains(t, StampVMDK(a, 1, `a"b.vmdk`), "cannot be written in a descriptor")
	require.NoError(t, os.WriteFile(b, make([]byte, 4096), 0o644))
	assert.ErrorContains(t, StampVMDK(b, 1, "x.vmdk"), "not a sparse vmdk")
}

func TestAVMDKHeaderPointingFarAwayIsRefused(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "bad.vmdk")
	h := make([]byte, 512)
	binary.LittleEndian.PutUint32(h, vmdkMagic)
	binary.LittleEndian.PutUint64(h[vmdkDescOff:], 1)
	binary.LittleEndian.PutUint64(h[vmdkDescSize:], 1<<40)
	require.NoError(t, os.WriteFile(p, h, 0o644))
	_, err := ReadVMDK(p)
	assert.ErrorContains(t, err, "no embedded descriptor")
}
