package epoch

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseTakesWholeSecondsSince1970(t *testing.T) {
	t.Parallel()
	got, err := Parse("1735689600")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), got)
	got, err = Parse("0")
	require.NoError(t, err)
	assert.Equal(t, int64(0), got.Unix(), "0 is a time like any other")
	for _, bad := range []string{"", "abc", "-1", "+5", "1.5", "1e9", "253402300800"} {
		_, err := Parse(bad)
		assert.ErrorContains(t, err, "SOURCE_DATE_EPOCH=", bad)
	}
	assert.Equal(t, "SOURCE_DATE_EPOCH=1735689600", Env(time.Unix(1735689600, 0)))
}

func TestClampTreeSetsNewerTimesToTheEpochAndKeepsOlderOnes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	at := time.Unix(1735689600, 0)
	old := at.Add(-48 * time.Hour)
	write := func(p string, mtime time.Time) string {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(p), 0o644))
		require.NoError(t, os.Chtimes(full, mtime, mtime))
		return full
	}
	newer := write("etc/new", time.Now())
	older := write("usr/share/old", old)
	outside := filepath.Join(t.TempDir(), "target")
	require.NoError(t, os.WriteFile(outside, nil, 0o644))
	link := filepath.Join(dir, "etc/link")
	require.NoError(t, os.Symlink(outside, link))
	// A file read after it was made has a newer access time only.
	require.NoError(t, os.Chtimes(older, time.Now(), old))

	require.NoError(t, ClampTree(dir, at))
	for _, p := range []string{newer, link, filepath.Join(dir, "etc"), dir} {
		fi, err := os.Lstat(p)
		require.NoError(t, err)
		assert.Equal(t, at.Unix(), fi.ModTime().Unix(), p)
	}
	fi, err := os.Stat(older)
	require.NoError(t, err)
	assert.Equal(t, old.Unix(), fi.ModTime().Unix(), "an older time is kept")
	fi, err = os.Stat(outside)
	require.NoError(t, err)
	assert.NotEqual(t, at.Unix(), fi.ModTime().Unix(), "a link's target outside the tree is not touched")
}

func TestTarOptionsSortClampAndDropTheOtherTimes(t *testing.T) {
	t.Parallel()
	opts := TarOptions(time.Unix(1735689600, 0))
	assert.Contains(t, opts, "--sort=name")
	assert.Contains(t, opts, "--mtime=@1735689600")
	assert.Contains(t, opts, "--clamp-mtime")
	assert.Contains(t, opts, "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime")
}
