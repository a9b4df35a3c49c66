package disk

import (
	"context"
	"encoding/binary"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestBuildWithATooSmallSizeFailsBeforeWritingAnything(t *testing.T) {
	t.Parallel()
	tree := fakeTree(t)
	out := filepath.Join(t.TempDir(), "vm.raw")
	_, err := Build(context.Background(), tree, out, Spec{Size: 20 * MiB})
	require.ErrorIs(t, err, ErrTooSmall)
	assert.NoFileExists(t, out)
	assert.NoFileExists(t, filepath.Join(tree, "boot/grub/grub.cfg"), "the tree is untouched")
}

// buildImage builds an image of a copy of the DIB_TEST_TREE tree.
func buildImage(t *testing.T, spec Spec) (string, Result) {
	t.Helper()
	tree := baseTree(t)
	out := filepath.Join(t.TempDir(), "vm.raw")
	res, err := Build(context.Background(), tree, out, spec)
	require.NoError(t, err)
	for _, s := range res.Timings {
		t.Logf("build step %s: %s", s.Step, s.Took)
	}
	return out, res
}

func TestBuiltImageHasCleanFilesystemsNamedByTheChosenUUIDs(t *testing.T) {
	testenv.Short(t)
	testenv.RequireCommands(t, "e2fsck", "debugfs", "blkid", "mcopy")
	out, res := buildImage(t, Spec{Seed: "build test", ExtraCmdline: []string{"net.ifnames=0"}})
	ctx := context.Background()

	assert.Equal(t, NewIDs("build test"), res.IDs)
	l, err := ReadLayout(out)
	require.NoError(t, err)
	assert.Equal(t, res.Layout, l)
	root, _ := l.Partition(Root)
	esp, _ := l.Partition(ESP)
	bios, _ := l.Partition(BIOSBoot)

	var st syscall.Stat_t
	require.NoError(t, syscall.Stat(out, &st))
	t.Logf("image %d MiB, %d MiB allocated", l.Size/MiB, st.Blocks*512/MiB)
	assert.Less(t, st.Blocks*512, l.Size, "the image is sparse")

	rootDev := out + "?offset=" + strconv.FormatInt(root.Start, 10)
	_, err = run.Run(ctx, run.Cmd{Argv: []string{"e2fsck", "-fn", rootDev}})
	require.NoError(t, err, "the root filesystem checks clean")
	assert.Equal(t, "ext4 "+res.RootUUID+" cloudimg-rootfs", probe(t, out, root.Start, "TYPE", "UUID", "LABEL"))
	assert.Equal(t, "vfat "+res.ESPUUID+" FAT32", probe(t, out, esp.Start, "TYPE", "UUID", "VERSION"))

	fstab, err := run.Output(ctx, "debugfs", "-R", "cat /etc/fstab", rootDev)
	require.NoError(t, err)
	assert.Contains(t, fstab, "UUID="+res.RootUUID+"\t/\t")
	assert.Contains(t, fstab, "UUID="+res.ESPUUID+"\t/boot/efi\tvfat\tumask=0077,x-systemd.device-timeout=5min\t")
	cfg, err := run.Output(ctx, "debugfs", "-R", "cat /boot/grub/grub.cfg", rootDev)
	require.NoError(t, err)
	assert.Contains(t, cfg, "linux "+res.Kernel.Image+" root=UUID="+res.RootUUID+" ro console=tty0 console=ttyS0,115200n8 net.ifnames=0")
	for _, p := range []string{"/boot/grub/i386-pc/normal.mod", "/boot/grub/x86_64-efi/normal.mod", "/boot/grub/grubenv", "/boot/efi"} {
		st, err := run.Output(ctx, "debugfs", "-R", "stat "+p, rootDev)
		require.NoError(t, err)
		assert.Contains(t, st, "Inode:", p)
	}
	shadow, err := run.Output(ctx, "debugfs", "-R", "stat /etc/shadow", rootDev)
	require.NoError(t, err)
	assert.Contains(t, shadow, "User:     0   Group:    42", "owners come from the tree (shadow group)")

	efi := filepath.Join(t.TempDir(), "BOOTX64.EFI")
	_, err = run.Run(ctx, run.Cmd{Argv: []string{"mcopy", "-i", out + "@@" + strconv.FormatInt(esp.Start, 10), "::/EFI/BOOT/BOOTX64.EFI", efi},
		Env: append(os.Environ(), "MTOOLS_SKIP_CHECK=1")})
	require.NoError(t, err)
	b, err := os.ReadFile(efi)
	require.NoError(t, err)
	assert.Equal(t, "MZ", string(b[:2]))

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	mbr := make([]byte, 512)
	_, err = f.ReadAt(mbr, 0)
	require.NoError(t, err)
	coreLBA := uint64(bios.Start / 512)
	assert.Equal(t, coreLBA, binary.LittleEndian.Uint64(mbr[0x5c:]), "boot.img points at core.img")
	assert.Equal(t, byte(0xee), mbr[446+4], "protective MBR kept")
	diskboot := make([]byte, 512)
	_, err = f.ReadAt(diskboot, bios.Start)
	require.NoError(t, err)
	assert.Equal(t, coreLBA+1, binary.LittleEndian.Uint64(diskboot[0x1f4:]), "diskboot.img loads the following sectors")
}

// probe returns blkid's values of keys for the filesystem at offset.
func probe(t *testing.T, img string, offset int64, keys ...string) string {
	t.Helper()
	out, err := run.Output(context.Background(), "blkid", "-p", "-O", strconv.FormatInt(offset, 10), "-o", "export", img)
	require.NoError(t, err)
	vals := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[k] = v
		}
	}
	got := make([]string, len(keys))
	for i, k := range keys {
		got[i] = vals[k]
	}
	return strings.Join(got, " ")
}
