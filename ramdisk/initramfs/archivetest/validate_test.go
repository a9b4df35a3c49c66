package archivetest_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
)

func TestValidatorsReportWhatIsWrong(t *testing.T) {
	t.Parallel()
	a := initramfs.New()
	require.NoError(t, a.AddContent("/etc/motd", []byte("hello"), 0o644))
	require.NoError(t, a.AddSymlink("/bin", "usr/bin"))
	var buf bytes.Buffer
	require.NoError(t, a.Write(&buf, initramfs.Options{Compression: initramfs.None}))
	ar, err := archivetest.Read(&buf)
	require.NoError(t, err)
	assert.Equal(t, []string{"/bin", "/etc", "/etc/motd"}, ar.Names())

	for _, c := range []struct {
		v    archivetest.Validator
		want string
	}{
		{archivetest.HasFile{Path: "/nope"}, "archive has no /nope"},
		{archivetest.HasFile{Path: "/bin"}, "has type"},
		{archivetest.HasContent{Path: "/etc/motd", Content: "bye"}, `holds "hello", want "bye"`},
		{archivetest.HasSymlink{Path: "/bin", Target: "/usr/bin"}, `points to "usr/bin"`},
		{archivetest.HasMode{Path: "/etc/motd", Mode: 0o600}, "has mode -rw-r--r--"},
		{archivetest.MissingFile{Path: "/etc/motd"}, "want none"},
		{archivetest.HasCharDevice{Path: "/etc/motd"}, "has type"},
		{archivetest.Owner{MTime: 1}, "at 0, want 0:0 at 1"},
	} {
		assert.ErrorContains(t, ar.Validate(c.v), c.want)
	}
}

func TestReadRejectsWhatIsNotNewc(t *testing.T) {
	t.Parallel()
	_, err := archivetest.Read(bytes.NewReader(bytes.Repeat([]byte("070707"), 40)))
	assert.ErrorContains(t, err, "bad magic")
}
