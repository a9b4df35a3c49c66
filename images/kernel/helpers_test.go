package kernel

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/partition/gpt"
	"github.com/diskfs/go-diskfs/partition/mbr"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

const (
	mib    = 1 << 20
	sector = 512
)

// tree writes files (path: content) and symlinks (path: target) under a
// new temporary directory and returns it.
func tree(t testing.TB, files, links map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644))
	}
	for p, target := range links {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, p)))
	}
	return dir
}

// debianBoot is a root tree with two kernels, as Debian lays them out.
func debianBoot() (files, links map[string]string) {
	files = map[string]string{
		"boot/vmlinuz-6.12.9-amd64":     "kernel 6.12.9",
		"boot/initrd.img-6.12.9-amd64":  "initrd 6.12.9",
		"boot/vmlinuz-6.12.10-amd64":    "kernel 6.12.10",
		"boot/initrd.img-6.12.10-amd64": "initrd 6.12.10",
		"boot/config-6.12.10-amd64":     "config",
		"etc/hostname":                  "test",
	}
	links = map[string]string{"vmlinuz": "boot/vmlinuz-6.12.10-amd64", "initrd.img": "boot/initrd.img-6.12.10-amd64"}
	return files, links
}

// part is one partition of a test image: a filesystem made from a tree.
type part struct {
	fs   string // "ext4", "ext2", "vfat", or "" for none
	tree string
	mib  int64
	args []string // extra mkfs arguments
}

// makeDisk writes an image file with the given partition table ("gpt",
// "mbr", or "" for one bare filesystem) and returns its path. Filesystems
// are made at their offsets in the file: nothing is mounted.
func makeDisk(t testing.TB, table string, parts ...part) string {
	t.Helper()
	testenv.RequireCommands(t, "mkfs.ext4", "mkfs.vfat", "mcopy")
	img := filepath.Join(t.TempDir(), "disk.raw")
	start, size := int64(mib), int64(2*mib)
	if table == "" {
		start, size = 0, 0
	}
	for _, p := range parts {
		size += p.mib * mib
	}
	f, err := os.Create(img)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(size))
	require.NoError(t, f.Close())
	var gparts []*gpt.Partition
	var mparts []*mbr.Partition
	for i, p := range parts {
		mkfs(t, img, p, start)
		lba := uint64(start / sector)
		n := uint64(p.mib * mib / sector)
		gparts = append(gparts, &gpt.Partition{Index: i + 1, Start: lba, End: lba + n - 1, Type: gpt.LinuxFilesystem, Name: "p" + strconv.Itoa(i+1)})
		mparts = append(mparts, &mbr.Partition{Index: i + 1, Type: mbr.Linux, Start: uint32(lba), Size: uint32(n)})
		start += p.mib * mib
	}
	f, err = os.OpenFile(img, os.O_RDWR, 0)
	require.NoError(t, err)
	defer f.Close()
	w, err := file.New(f, false).Writable()
	require.NoError(t, err)
	switch table {
	case "gpt":
		tab := &gpt.Table{Partitions: gparts, LogicalSectorSize: sector, PhysicalSectorSize: sector, ProtectiveMBR: true}
		require.NoError(t, tab.Write(w, size))
	case "mbr":
		tab := &mbr.Table{Partitions: mparts, LogicalSectorSize: sector, PhysicalSectorSize: sector}
		require.NoError(t, tab.Write(w, size))
	}
	return img
}

// mkfs makes p's filesystem in img at byte offset off.
func mkfs(t testing.TB, img string, p part, off int64) {
	t.Helper()
	kib := strconv.FormatInt(p.mib*1024, 10)
	switch p.fs {
	case "":
	case "vfat":
		sh(t, append([]string{"mkfs.vfat", "--offset=" + strconv.FormatInt(off/sector, 10)}, append(p.args, img, kib)...)...)
		if p.tree != "" {
			ents, err := os.ReadDir(p.tree)
			require.NoError(t, err)
			for _, e := range ents {
				sh(t, "mcopy", "-s", "-i", img+"@@"+strconv.FormatInt(off, 10), filepath.Join(p.tree, e.Name()), "::/")
			}
		}
	default:
		argv := []string{"mkfs." + p.fs, "-q", "-F", "-E", "offset=" + strconv.FormatInt(off, 10)}
		if p.tree != "" {
			argv = append(argv, "-d", p.tree)
		}
		sh(t, append(append(argv, p.args...), img, kib+"k")...)
	}
}

// sh runs a command and fails t, showing its output, if it fails.
func sh(t testing.TB, argv ...string) {
	t.Helper()
	cmd := exec.CommandContext(context.Background(), argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%v: %s", argv, out)
}

// convert converts a raw image to another format and returns its path.
func convert(t testing.TB, raw, format string, extra ...string) string {
	t.Helper()
	testenv.RequireCommands(t, "qemu-img")
	out := filepath.Join(t.TempDir(), "disk."+format)
	qfmt := format
	if format == "vhd" {
		qfmt = "vpc"
	}
	sh(t, append(append([]string{"qemu-img", "convert", "-f", "raw", "-O", qfmt}, extra...), raw, out)...)
	return out
}

// extract runs Extract into a new directory and returns the result with
// the two files' contents.
func extract(t *testing.T, img string) (Result, string, string) {
	t.Helper()
	res, err := Extract(context.Background(), Options{Image: img, Dir: t.TempDir(), Prefix: "out"})
	require.NoError(t, err)
	k, err := os.ReadFile(res.Kernel)
	require.NoError(t, err)
	i, err := os.ReadFile(res.Initrd)
	require.NoError(t, err)
	return res, string(k), string(i)
}
