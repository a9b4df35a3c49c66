package diskread

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images/diskread/craft"
)

// noise returns n bytes of deterministic noise.
func noise(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(b)
	return b
}

// rawDisk writes a 24 MiB GPT disk whose ext4 partition holds 5 MiB of
// noise, and returns its path and bytes.
func rawDisk(t *testing.T) (string, []byte) {
	t.Helper()
	ext := craft.BuildExt([]craft.File{{Path: "boot/vmlinuz-1", Data: noise(5<<20 + 777)}}, 0)
	b := craft.GPT(24<<20, craft.Part{Start: 2048, Data: ext.Bytes})
	img := filepath.Join(t.TempDir(), "disk.raw")
	require.NoError(t, os.WriteFile(img, b, 0o644))
	return img, b
}

// TestEveryFormatReadsTheSameBytes reads ranges of every size, cached or
// not, across chunk boundaries, from each format qemu-img writes.
func TestEveryFormatReadsTheSameBytes(t *testing.T) {
	t.Parallel()
	raw, want := rawDisk(t)
	dir := t.TempDir()
	for _, c := range []struct{ format, file string }{{"raw", raw}, {"qcow2", "c.qcow2"}, {"vpc", "d.vhd"},
		{"vmdk", "e.vmdk"}, {"vmdk", "f-stream.vmdk"}} {
		img := c.file
		if c.format != "raw" {
			img = filepath.Join(dir, c.file)
			args := []string{"convert", "-q", "-f", "raw", "-O", c.format}
			if c.file == "f-stream.vmdk" {
				args = append(args, "-o", "subformat=streamOptimized")
			}
			qemuImg(t, append(args, raw, img)...)
		}
		d, err := Open(context.Background(), img)
		require.NoError(t, err, img)
		assert.Equal(t, c.format, d.Format())
		assert.GreaterOrEqual(t, d.Size(), int64(len(want)), img)
		for _, r := range [][2]int64{{0, 512}, {1<<20 - 100, 200}, {2048*512 + 1000, 6 << 20}, {777, 3 << 20}, {23<<20 + 5, 1<<20 - 5}} {
			got := make([]byte, r[1])
			n, err := d.ReadAt(got, r[0])
			require.NoError(t, err, "%s at %d", img, r[0])
			assert.True(t, bytes.Equal(want[r[0]:r[0]+int64(n)], got), "%s at %d", img, r[0])
		}
		require.NoError(t, d.Close())
	}
}

// TestCompressedQcow2IsReadOnlyWhereNeeded: the partition table and the
// filesystem's metadata take a few commands, not one per read.
func TestCompressedQcow2IsReadOnlyWhereNeeded(t *testing.T) {
	t.Parallel()
	raw, _ := rawDisk(t)
	img := filepath.Join(t.TempDir(), "vm,1.qcow2") // a comma, as qemu's option syntax would choke on
	qemuImg(t, "convert", "-q", "-c", "-f", "raw", "-O", "qcow2", raw, img)
	d, err := Open(context.Background(), img)
	require.NoError(t, err)
	defer d.Close()
	for off := int64(0); off < 1<<20; off += 4096 {
		_, err := d.ReadAt(make([]byte, 4096), 2048*512+off)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, d.r.(*qemuReader).calls, "256 reads in the first MiB of the partition")
}

// TestReadsLeaveNoTemporaryFiles: range reads go through a memory file,
// so nothing is left in TMPDIR even when the process is killed.
func TestReadsLeaveNoTemporaryFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	raw, _ := rawDisk(t)
	img := filepath.Join(t.TempDir(), "vm.qcow2")
	qemuImg(t, "convert", "-q", "-f", "raw", "-O", "qcow2", raw, img)
	d, err := Open(context.Background(), img)
	require.NoError(t, err)
	_, err = d.ReadAt(make([]byte, 8<<20), 0)
	require.NoError(t, err)
	ents, err := os.ReadDir(tmp)
	require.NoError(t, err)
	assert.Empty(t, ents)
	require.NoError(t, d.Close())
}

// TestQemuImgAccountIsCheckedAgain: what qemu-img reports is refused on
// its own, should a header slip past the checks before it.
func TestQemuImgAccountIsCheckedAgain(t *testing.T) {
	t.Parallel()
	for out, want := range map[string]string{
		`{"format":"qcow2","virtual-size":1,"backing-filename":"/etc/shadow"}`:                               "image names a backing file (/etc/shadow): refused",
		`{"format":"qcow2","virtual-size":1,"format-specific":{"data":{"data-file":"/dev/sda"}}}`:            "image names an external data file (/dev/sda): refused",
		`{"format":"qcow2","virtual-size":1,"format-specific":{"data":{"extents":[{"filename":"/etc/x"}]}}}`: "image is a vmdk that names other files (/etc/x): refused",
		`{"format":"raw","virtual-size":1}`:                                                                  `read qcow2 header: unexpected qemu-img output: "{\"format\":\"raw\",\"virtual-size\":1}"`,
	} {
		_, err := checkInfo(out, "qcow2")
		require.EqualError(t, err, want)
	}
	size, err := checkInfo(`{"format":"qcow2","virtual-size":1048576,"format-specific":{"data":{"extents":[{"filename":"/proc/self/fd/0"}]}}}`, "qcow2")
	require.NoError(t, err)
	assert.Equal(t, int64(1<<20), size)
}
