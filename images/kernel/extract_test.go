package kernel

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestExtractTakesNewestKernelFromGPTImage(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	files, links := debianBoot()
	img := makeDisk(t, "gpt", part{fs: "vfat", mib: 8}, part{fs: "ext4", tree: tree(t, files, links), mib: 16})
	res, k, i := extract(t, img)
	assert.Equal(t, "kernel 6.12.10", k)
	assert.Equal(t, "initrd 6.12.10", i)
	assert.Equal(t, "6.12.10-amd64", res.Version)
	assert.Equal(t, "gpt", res.Found.Table)
	assert.Equal(t, 2, res.Found.Partition.Number)
	assert.Equal(t, "boot/vmlinuz-6.12.10-amd64", res.Found.Kernel)
	for _, p := range []string{res.Kernel, res.Initrd} {
		st, err := os.Stat(p)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), p)
	}
}

func TestExtractReadsMBRImage(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	files, links := debianBoot()
	img := makeDisk(t, "mbr", part{fs: "ext4", tree: tree(t, files, links), mib: 16})
	res, k, i := extract(t, img)
	assert.Equal(t, "kernel 6.12.10", k)
	assert.Equal(t, "initrd 6.12.10", i)
	assert.Equal(t, "mbr", res.Found.Table)
}

func TestExtractReadsBareFilesystem(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	files, links := debianBoot()
	img := makeDisk(t, "", part{fs: "ext4", tree: tree(t, files, links), mib: 16})
	res, k, _ := extract(t, img)
	assert.Equal(t, "kernel 6.12.10", k)
	assert.Equal(t, 0, res.Found.Partition.Number)
}

func TestExtractFindsSeparateBootPartitionInExt2WithIndirectBlocks(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	big := string(randomBytes(300 << 10)) // past the double indirect block with 1 KiB blocks
	boot := tree(t, map[string]string{"vmlinuz-6.1.0-28-amd64": big, "initrd.img-6.1.0-28-amd64": "initrd"}, nil)
	root := tree(t, map[string]string{"etc/hostname": "x", "boot/.keep": ""},
		map[string]string{"vmlinuz": "/boot/vmlinuz-6.1.0-28-amd64"})
	img := makeDisk(t, "gpt", part{fs: "ext2", tree: boot, mib: 4, args: []string{"-b", "1024"}},
		part{fs: "ext4", tree: root, mib: 8})
	res, k, i := extract(t, img)
	assert.Equal(t, big, k)
	assert.Equal(t, "initrd", i)
	assert.Equal(t, 1, res.Found.Partition.Number)
	assert.Equal(t, "vmlinuz-6.1.0-28-amd64", res.Found.Kernel)
}

func TestExtractReadsKernelFromFATBootPartition(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	boot := tree(t, map[string]string{"vmlinuz-6.12.10-amd64": "fat kernel", "initramfs-6.12.10-amd64.img": "fat initrd"}, nil)
	img := makeDisk(t, "gpt", part{fs: "vfat", tree: boot, mib: 40})
	res, k, i := extract(t, img)
	assert.Equal(t, "fat kernel", k)
	assert.Equal(t, "fat initrd", i)
	assert.Equal(t, "vfat", res.Found.Filesystem)
}

func TestExtractFollowsLinksWhenTheyAreTheOnlyNames(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	root := tree(t, map[string]string{"boot/kernel-a": "linked kernel", "opt/initrd-a": "linked initrd"},
		map[string]string{"vmlinuz": "boot/kernel-a", "initrd.img": "/opt/../opt/initrd-a"})
	img := makeDisk(t, "gpt", part{fs: "ext4", tree: root, mib: 8})
	res, k, i := extract(t, img)
	assert.Equal(t, "linked kernel", k)
	assert.Equal(t, "linked initrd", i)
	assert.Equal(t, "", res.Version)
}

func TestExtractReadsHashedDirectoriesAndExtentTreesOfSmallBlocks(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img", "e2fsck", "debugfs")
	files, links := debianBoot()
	for i := range 400 { // enough entries for an htree-indexed /boot
		files[filepath.Join("boot", "filler-with-a-rather-long-name-"+string(rune('a'+i%26))+itoa(i))] = "x"
	}
	// With 1 KiB blocks, 60 MiB spans more block groups than an inode
	// holds extents: the extent tree gets an index level.
	kernel := string(randomBytes(60 << 20))
	files["boot/vmlinuz-6.12.10-amd64"] = kernel
	img := makeDisk(t, "", part{fs: "ext4", tree: tree(t, files, links), mib: 100, args: []string{"-b", "1024"}})
	// e2fsck -D indexes directories (mkfs -d does not); it exits 1 when
	// it changed the filesystem.
	err := exec.Command("e2fsck", "-fyD", img).Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		err = nil
	}
	require.NoError(t, err)
	out, err := exec.Command("debugfs", "-R", "htree /boot", img).CombinedOutput()
	require.NoError(t, err)
	require.Contains(t, string(out), "Root node dump")
	out, err = exec.Command("debugfs", "-R", "dump_extents /boot/vmlinuz-6.12.10-amd64", img).CombinedOutput()
	require.NoError(t, err)
	require.Contains(t, string(out), " 0/ 1 ", "no second extent tree level")
	_, k, _ := extract(t, img)
	assert.True(t, kernel == k, "kernel differs")
}

func TestExtractGivesSameBytesFromQcow2VhdAndVmdk(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	files, links := debianBoot()
	files["boot/vmlinuz-6.12.10-amd64"] = string(randomBytes(3 << 20))
	// An odd length: the last extent ends inside a sector.
	files["boot/initrd.img-6.12.10-amd64"] = string(randomBytes(5<<20 + 777))
	raw := makeDisk(t, "gpt", part{fs: "ext4", tree: tree(t, files, links), mib: 32})
	for _, img := range []string{convert(t, raw, "qcow2"), convert(t, raw, "qcow2", "-c", "-o", "compression_type=zstd"),
		convert(t, raw, "vhd"), convert(t, raw, "vmdk")} {
		_, k, i := extract(t, img)
		assert.Equal(t, files["boot/vmlinuz-6.12.10-amd64"], k, img)
		assert.Equal(t, files["boot/initrd.img-6.12.10-amd64"], i, img)
	}
}

func TestExtractWithoutKernelSaysWhatItLookedAtAndWritesNothing(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	root := tree(t, map[string]string{"etc/hostname": "x", "boot/grub/grub.cfg": ""}, nil)
	img := makeDisk(t, "gpt", part{mib: 1}, part{fs: "vfat", mib: 8}, part{fs: "ext4", tree: root, mib: 8})
	out := t.TempDir()
	_, err := Extract(context.Background(), Options{Image: img, Dir: out})
	require.ErrorIs(t, err, ErrNoKernel)
	for _, want := range []string{img, "gpt", "partition 1", "partition 2 (vfat)", "partition 3 (ext)", "/boot"} {
		assert.Contains(t, err.Error(), want)
	}
	assertEmpty(t, out)
	t.Log(err)
}

func TestExtractRejectsCorruptQcow2(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	files, links := debianBoot()
	raw := makeDisk(t, "gpt", part{fs: "ext4", tree: tree(t, files, links), mib: 8})
	img := convert(t, raw, "qcow2")
	f, err := os.OpenFile(img, os.O_RDWR, 0)
	require.NoError(t, err)
	hdr := make([]byte, 48)
	_, err = f.ReadAt(hdr, 0)
	require.NoError(t, err)
	l1 := int64(binary.BigEndian.Uint64(hdr[40:])) // the L1 table's offset
	_, err = f.WriteAt(randomBytes(4096), l1)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	out := t.TempDir()
	_, err = Extract(context.Background(), Options{Image: img, Dir: out})
	require.Error(t, err)
	t.Log(err)
	assertEmpty(t, out)
}

func TestExtractRejectsFileThatIsNotAnImage(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	img := filepath.Join(t.TempDir(), "notes.txt")
	require.NoError(t, os.WriteFile(img, randomBytes(1<<20), 0o644))
	_, err := Find(context.Background(), img)
	require.ErrorContains(t, err, "not a disk image")
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, ents, "files left in %s", dir)
}
