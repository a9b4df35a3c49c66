package images_test

import (
	"context"
	"encoding/binary"
	"io"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/diskread"
	"github.com/tripleo/diskimage-builder/images/diskread/parttable"
	"github.com/tripleo/diskimage-builder/images/format"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// checkStampedWith checks the times in the outputs of a build of spec
// (tar, raw and vhd among its types, the vm layout) against its
// SOURCE_DATE_EPOCH at: no file time in the tar, the root filesystem or
// the ESP is later than at (older ones, from the packages, are kept), and
// those of files the build wrote are at; the root filesystem's superblock
// times and its inodes' change and creation times are at; the vhd footer's
// time is at. Nothing is dated by the clock.
func checkStampedWith(t *testing.T, spec images.Spec, at time.Time) {
	t.Helper()
	at = at.UTC()
	stamped := map[string]int{}
	check := func(kind, name string, got time.Time) {
		t.Helper()
		if got.After(at) {
			assert.Fail(t, "a time after the epoch", "%s %s: %s is after %s", kind, name, got.UTC(), at)
		}
		want := at
		if kind == diskread.VFAT {
			want = at.Truncate(2 * time.Second) // FAT counts in two-second steps
		}
		if got.Equal(want) {
			stamped[kind]++
		}
	}
	files := readTar(t, spec.Output("tar"))
	for name, e := range files {
		check("tar", name, e.ModTime)
		for k := range e.PAXRecords {
			assert.False(t, strings.HasSuffix(k, "atime") || strings.HasSuffix(k, "ctime"), "tar %s has no %s", name, k)
		}
	}
	assert.Equal(t, at, files["./etc/fstab"].ModTime.UTC(), "a file the build wrote")

	d, err := diskread.Open(context.Background(), spec.Output("raw"))
	require.NoError(t, err)
	defer d.Close()
	_, parts, err := parttable.Read(d, d.Size())
	require.NoError(t, err)
	var root, esp parttable.Partition
	for _, p := range parts {
		switch strings.ToUpper(p.Type) {
		case disk.TypeLinux:
			root = p
		case disk.TypeESP:
			esp = p
		}
	}
	require.NotZero(t, root.Size, "a root partition")
	require.NotZero(t, esp.Size, "an ESP")
	n := 0
	for _, p := range []parttable.Partition{root, esp} {
		fsys, typ, err := diskread.OpenFS(io.NewSectionReader(d, p.Start, p.Size), p.Size)
		require.NoError(t, err)
		require.NoError(t, fs.WalkDir(fsys, ".", func(name string, e fs.DirEntry, err error) error {
			require.NoError(t, err)
			if typ == diskread.VFAT && name == "." {
				return nil // a FAT root directory has no time
			}
			fi, err := e.Info()
			require.NoError(t, err)
			check(typ, name, fi.ModTime())
			n++
			return nil
		}))
		if typ == diskread.VFAT {
			fi, err := fs.Stat(fsys, "EFI/BOOT")
			require.NoError(t, err)
			assert.Equal(t, at.Truncate(2*time.Second), fi.ModTime(), "a directory the build made on the ESP")
		}
	}
	assert.Greater(t, n, 1000, "the filesystems were walked")
	for _, kind := range []string{"tar", diskread.Ext, diskread.VFAT} {
		assert.Positive(t, stamped[kind], "files of the build in the %s are dated by the epoch", kind)
	}

	sb := make([]byte, 1024)
	_, err = d.ReadAt(sb, root.Start+1024)
	require.NoError(t, err)
	require.Equal(t, uint16(0xEF53), binary.LittleEndian.Uint16(sb[0x38:]), "ext4 superblock")
	for what, off := range map[string]int{"last write": 0x30, "last check": 0x40, "creation": 0x108} {
		assert.Equal(t, at.Unix(), int64(binary.LittleEndian.Uint32(sb[off:])), "superblock %s time", what)
	}
	assert.Contains(t, []int64{0, at.Unix()}, int64(binary.LittleEndian.Uint32(sb[0x2C:])), "superblock mount time: never mounted")
	for _, p := range []string{"/", "/etc", "/etc/fstab", "/usr/bin/dpkg"} {
		times := inodeTimes(t, spec.Output("raw"), root.Start, p)
		assert.Equal(t, at.Unix(), times["ctime"], "%s change time", p)
		assert.Equal(t, at.Unix(), times["crtime"], "%s creation time", p)
		assert.LessOrEqual(t, times["atime"], at.Unix(), "%s access time", p)
	}

	vhd, err := format.ReadVHDFooter(spec.Output("vhd"))
	require.NoError(t, err)
	assert.Equal(t, at, vhd.Time.UTC(), "the vhd footer's time")
}

var debugfsTime = regexp.MustCompile(`(?m)^\s*(ctime|atime|mtime|crtime): 0x([0-9a-f]+)`)

// inodeTimes reads the times of the inode at path in the ext4 filesystem
// at offset of img with debugfs, in seconds.
func inodeTimes(t *testing.T, img string, offset int64, path string) map[string]int64 {
	t.Helper()
	out, err := run.Output(context.Background(), "debugfs", "-c", "-R", "stat "+path, img+"?offset="+itoa(offset))
	require.NoError(t, err)
	m := map[string]int64{}
	for _, g := range debugfsTime.FindAllStringSubmatch(out, -1) {
		v, err := strconv.ParseInt(g[2], 16, 64)
		require.NoError(t, err)
		m[g[1]] = v
	}
	require.Contains(t, m, "crtime", "debugfs stat %s:\n%s", path, out)
	return m
}

// sourceDateEpoch is the SOURCE_DATE_EPOCH the outputs test gives its
// build: older than any base, so every file the build wrote has it.
var sourceDateEpoch = time.Unix(1735689600, 0) // 2025-01-01
