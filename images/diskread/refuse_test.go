package diskread

import (
	"context"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// qemuImg runs qemu-img and fails the test if it fails.
func qemuImg(t *testing.T, args ...string) {
	t.Helper()
	testenv.RequireCommands(t, "qemu-img")
	out, err := exec.Command("qemu-img", args...).CombinedOutput()
	require.NoError(t, err, "qemu-img %v: %s", args, out)
}

// refusedWith opens img and checks it is refused with a message ending
// in reason.
func refusedWith(t *testing.T, img, reason string) {
	t.Helper()
	d, err := Open(context.Background(), img)
	if err == nil {
		d.Close()
	}
	require.ErrorIs(t, err, ErrRefused)
	assert.Equal(t, "read image "+img+": "+reason+": refused", err.Error())
}

func TestQcow2NamingABackingFileIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for i, backing := range []string{"/etc/shadow", "nbd://127.0.0.1:10809/export", "http://127.0.0.1/x.img",
		`json:{"driver":"file","filename":"/etc/passwd"}`} {
		img := filepath.Join(dir, "b"+itoa(i)+".qcow2")
		// -u: do not open the backing file now, as an attacker's tool would not.
		qemuImg(t, "create", "-q", "-f", "qcow2", "-u", "-b", backing, "-F", "raw", img, "16M")
		refusedWith(t, img, "image names a backing file ("+backing+")")
	}
}

func TestQcow2NamingAnExternalDataFileIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, img := filepath.Join(dir, "data.raw"), filepath.Join(dir, "d.qcow2")
	qemuImg(t, "create", "-q", "-f", "qcow2", "-o", "data_file="+data, img, "16M")
	refusedWith(t, img, "image names an external data file ("+data+")")
}

func TestVMDKDescriptorNamingOtherFilesIsRefused(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "desc.vmdk")
	require.NoError(t, os.WriteFile(img, []byte(`# Disk DescriptorFile
version=1
CID=fffffffe
parentCID=ffffffff
createType="monolithicFlat"

RW 16 FLAT "/etc/passwd" 0
RW 2048 FLAT "/etc/shadow" 0
`), 0o644))
	refusedWith(t, img, "image is a vmdk descriptor that names other files (/etc/passwd, /etc/shadow)")
}

// TestSparseVMDKWhoseDescriptorMakesTheDiskIsRefused: a sparse extent
// header of capacity 0 makes qemu open the extents its embedded
// descriptor names.
func TestSparseVMDKWhoseDescriptorMakesTheDiskIsRefused(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "sparse.vmdk")
	qemuImg(t, "create", "-q", "-f", "vmdk", img, "16M")
	b, err := os.ReadFile(img)
	require.NoError(t, err)
	binary.LittleEndian.PutUint64(b[12:], 0)
	desc := int(binary.LittleEndian.Uint64(b[28:])) * 512
	text := string(b[desc : desc+1024])
	i := strings.Index(text, `"sparse.vmdk"`)
	require.Positive(t, i, text)
	copy(b[desc+i:], `"/etc/passwd"`)
	require.NoError(t, os.WriteFile(img, b, 0o644))
	refusedWith(t, img, "image is a vmdk whose descriptor names other files (/etc/passwd)")
}

func TestVMDKNamingAParentIsRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, img := filepath.Join(dir, "base.vmdk"), filepath.Join(dir, "child.vmdk")
	qemuImg(t, "create", "-q", "-f", "vmdk", base, "16M")
	qemuImg(t, "create", "-q", "-f", "vmdk", "-b", base, "-F", "vmdk", img)
	refusedWith(t, img, "image names a backing file ("+base+")")
}

func TestDifferencingVHDIsRefused(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "diff.vhd")
	qemuImg(t, "create", "-q", "-f", "vpc", img, "16M")
	b, err := os.ReadFile(img)
	require.NoError(t, err)
	binary.BigEndian.PutUint32(b[0x3c:], 4)
	require.NoError(t, os.WriteFile(img, b, 0o644))
	refusedWith(t, img, "image is a differencing vhd, which names a parent disk")
}

func TestEncryptedQcow2IsRefused(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "enc.qcow2")
	args := []string{"create", "-q", "--object", "secret,id=s0,data=secret", "-f", "qcow2",
		"-o", "encrypt.format=luks,encrypt.key-secret=s0,encrypt.iter-time=10", img, "16M"}
	// qemu-img times its key derivation by CPU time and gives up when a
	// busy machine leaves it none to measure ("Unable to get accurate CPU
	// usage"); that says nothing of our reader, so it is tried again.
	testenv.RequireCommands(t, "qemu-img")
	var out []byte
	var err error
	for range 5 {
		out, err = exec.Command("qemu-img", args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "accurate CPU usage") {
			break
		}
	}
	require.NoError(t, err, "qemu-img %v: %s", args, out)
	refusedWith(t, img, "image is encrypted")
}

func TestFormatsNotReadAreRefusedNotProbed(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for format, label := range map[string]string{"qed": "qed", "vdi": "vdi", "vhdx": "vhdx", "qcow": "qcow version 1"} {
		img := filepath.Join(dir, "x."+format)
		qemuImg(t, "create", "-q", "-f", format, img, "16M")
		if format == "qcow" {
			refusedWith(t, img, "qcow version 1 is not read (2 and 3 are)")
			continue
		}
		refusedWith(t, img, "image format "+label+" is not read (raw, qcow2, vhd and vmdk are)")
	}
}

// TestNamesAreFilesNeverProtocols: a file named like a json: or network
// filename is read as the file it is, and a network name that is no file
// is not found.
func TestNamesAreFilesNeverProtocols(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := filepath.Join(dir, `json:{"driver":"file","filename":"etc,passwd"}`)
	qemuImg(t, "create", "-q", "-f", "qcow2", img, "16M")
	d, err := Open(context.Background(), img)
	require.NoError(t, err)
	assert.Equal(t, Qcow2, d.Format())
	assert.Equal(t, int64(16<<20), d.Size())
	b := make([]byte, 4096)
	_, err = d.ReadAt(b, 0)
	require.NoError(t, err)
	require.NoError(t, d.Close())
	for _, name := range []string{"nbd://127.0.0.1:10809/export", "http://127.0.0.1/x.img", "iscsi://127.0.0.1/iqn.x/0"} {
		_, err := Open(context.Background(), name)
		require.ErrorIs(t, err, os.ErrNotExist, name)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestQcow2BackingNameOutsideTheFileIsCorrupt: a header whose backing
// file name cannot be read is an error, not a refusal naming nothing.
func TestQcow2BackingNameOutsideTheFileIsCorrupt(t *testing.T) {
	t.Parallel()
	img := filepath.Join(t.TempDir(), "corrupt.qcow2")
	h := append([]byte("QFI\xfb\x00\x00\x00\x03"), make([]byte, 504)...)
	for i := 8; i < 512; i++ {
		h[i] = 0xff
	}
	require.NoError(t, os.WriteFile(img, h, 0o644))
	_, err := Open(context.Background(), img)
	require.EqualError(t, err, "read image "+img+": qcow2 header: backing file name of 4294967295 bytes at 18446744073709551615 is not in the file")
	require.NotErrorIs(t, err, ErrRefused)
}
