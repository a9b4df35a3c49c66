package initramfs_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
)

// sample builds an archive of every kind of record, adding them in order.
func sample(t *testing.T, reversed bool) *initramfs.Archive {
	t.Helper()
	src := filepath.Join(t.TempDir(), "tool")
	require.NoError(t, os.WriteFile(src, []byte("#!/bin/sh\necho tool\n"), 0o750))
	steps := []func(a *initramfs.Archive) error{
		func(a *initramfs.Archive) error { return a.AddFile("/usr/bin/tool", src) },
		func(a *initramfs.Archive) error { return a.AddContent("/etc/motd", []byte("hello\n"), 0o644) },
		func(a *initramfs.Archive) error { return a.AddSymlink("/bin", "usr/bin") },
		func(a *initramfs.Archive) error { return a.AddDir("/var/empty", 0o700) },
		func(a *initramfs.Archive) error { return a.AddEssentials() },
	}
	a := initramfs.New()
	for i := range steps {
		if reversed {
			i = len(steps) - 1 - i
		}
		require.NoError(t, steps[i](a))
	}
	return a
}

func write(t *testing.T, a *initramfs.Archive, o initramfs.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, a.Write(&buf, o))
	return buf.Bytes()
}

func read(t *testing.T, b []byte) *archivetest.Archive {
	t.Helper()
	ar, err := archivetest.Read(bytes.NewReader(b))
	require.NoError(t, err)
	return ar
}

func TestArchiveHoldsEveryKindOfRecordWithParentsFirst(t *testing.T) {
	t.Parallel()
	ar := read(t, write(t, sample(t, false), initramfs.Options{}))
	assert.NoError(t, ar.Validate(
		archivetest.HasContent{Path: "/usr/bin/tool", Content: "#!/bin/sh\necho tool\n"},
		archivetest.HasMode{Path: "/usr/bin/tool", Mode: 0o750},
		archivetest.HasContent{Path: "/etc/motd", Content: "hello\n"},
		archivetest.HasSymlink{Path: "/bin", Target: "usr/bin"},
		archivetest.HasDir{Path: "/usr"},
		archivetest.HasMode{Path: "/usr", Mode: 0o755},
		archivetest.HasMode{Path: "/var/empty", Mode: 0o700},
		archivetest.HasMode{Path: "/tmp", Mode: 0o777 | os.ModeSticky},
		archivetest.HasCharDevice{Path: "/dev/console", Major: 5, Minor: 1},
		archivetest.HasCharDevice{Path: "/dev/null", Major: 1, Minor: 3},
		archivetest.MissingFile{Path: "/usr/bin/sh"},
		archivetest.ParentsFirst{},
		archivetest.Owner{UID: 0, GID: 0, MTime: 0},
	))
}

func TestArchiveIsTheSameBytesWhateverTheOrderOfAdding(t *testing.T) {
	t.Parallel()
	for _, c := range []initramfs.Compression{initramfs.Gzip, initramfs.Zstd, initramfs.None} {
		o := initramfs.Options{Compression: c}
		first := write(t, sample(t, false), o)
		assert.Equal(t, first, write(t, sample(t, false), o), "%s: same inputs", c)
		assert.Equal(t, first, write(t, sample(t, true), o), "%s: reversed order", c)
	}
}

func TestArchiveCompressionIsToldByItsMagic(t *testing.T) {
	t.Parallel()
	a := sample(t, false)
	assert.Equal(t, []byte{0x1f, 0x8b}, write(t, a, initramfs.Options{})[:2])
	assert.Equal(t, []byte{0x28, 0xb5, 0x2f, 0xfd}, write(t, a, initramfs.Options{Compression: initramfs.Zstd})[:4])
	assert.Equal(t, []byte("070701"), write(t, a, initramfs.Options{Compression: initramfs.None})[:6])
	ar := read(t, write(t, a, initramfs.Options{Compression: initramfs.Zstd}))
	assert.NoError(t, ar.Validate(archivetest.HasContent{Path: "/etc/motd", Content: "hello\n"}))
}

func TestArchiveUsesTheGivenModificationTime(t *testing.T) {
	t.Parallel()
	ar := read(t, write(t, sample(t, false), initramfs.Options{ModTime: 1700000000}))
	assert.NoError(t, ar.Validate(archivetest.Owner{MTime: 1700000000}))
}

func TestHostCpioListsTheDeviceNumbers(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "cpio")
	cmd := exec.Command("cpio", "-itv", "--quiet")
	cmd.Stdin = bytes.NewReader(write(t, sample(t, false), initramfs.Options{Compression: initramfs.None}))
	out, err := cmd.Output()
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^crw-------.* 5,\s+1 .*dev/console$`, string(out))
	assert.Regexp(t, `(?m)^crw-rw-rw-.* 1,\s+3 .*dev/null$`, string(out))
	assert.Regexp(t, `(?m)^lrwxrwxrwx.* bin -> usr/bin$`, string(out))
}

func TestWeakRecordsYieldWhicheverComesFirst(t *testing.T) {
	t.Parallel()
	for _, weakFirst := range []bool{true, false} {
		a := initramfs.New()
		weak := initramfs.Record{Kind: initramfs.Symlink, Target: "/bin/busybox", Weak: true}
		if weakFirst {
			require.NoError(t, a.Add("/bin/ip", weak))
		}
		require.NoError(t, a.AddContent("/bin/ip", []byte("real"), 0o755))
		if !weakFirst {
			require.NoError(t, a.Add("/bin/ip", weak))
		}
		r, ok := a.Get("/bin/ip")
		require.True(t, ok)
		assert.Equal(t, initramfs.Content, r.Kind)
	}
}

func TestAddingADifferentRecordAtATakenPathFails(t *testing.T) {
	t.Parallel()
	a := initramfs.New()
	require.NoError(t, a.AddSymlink("/bin", "usr/bin"))
	require.NoError(t, a.AddSymlink("/bin", "usr/bin"), "the same record again is fine")
	assert.ErrorContains(t, a.AddDir("/bin", 0o755), "/bin")
	assert.Error(t, a.AddDir("/../x", 0o755))
	assert.Error(t, a.AddDir("/", 0o755))
}

func TestRecordsBelowASymlinkedDirectoryLandWhereItPoints(t *testing.T) {
	t.Parallel()
	a := initramfs.New()
	require.NoError(t, a.AddSymlink("/bin", "usr/bin"))
	require.NoError(t, a.AddSymlink("/sbin", "/usr/sbin"))
	require.NoError(t, a.Add("/bin/sh", initramfs.Record{Kind: initramfs.Symlink, Target: "/usr/bin/busybox", Weak: true}))
	require.NoError(t, a.AddContent("/sbin/init", []byte("x"), 0o755))
	ar := read(t, write(t, a, initramfs.Options{}))
	assert.NoError(t, ar.Validate(
		archivetest.HasSymlink{Path: "/bin", Target: "usr/bin"},
		archivetest.HasSymlink{Path: "/usr/bin/sh", Target: "/usr/bin/busybox"},
		archivetest.HasContent{Path: "/usr/sbin/init", Content: "x"},
		archivetest.ParentsFirst{},
	))
}

func TestARecordBelowAFileFailsToWrite(t *testing.T) {
	t.Parallel()
	a := initramfs.New()
	require.NoError(t, a.AddContent("/etc", []byte("x"), 0o644))
	require.NoError(t, a.AddContent("/etc/motd", []byte("x"), 0o644))
	assert.ErrorContains(t, a.Write(&bytes.Buffer{}, initramfs.Options{}), "parent /etc of /etc/motd")
}

func TestParseCompressionAcceptsTheKnownNames(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]initramfs.Compression{"": initramfs.Gzip, "gzip": initramfs.Gzip, "zstd": initramfs.Zstd, "none": initramfs.None} {
		got, err := initramfs.ParseCompression(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := initramfs.ParseCompression("lz4")
	assert.ErrorContains(t, err, "lz4")
}
