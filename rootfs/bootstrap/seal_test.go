package bootstrap

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// sealedTarball makes a small sealed .tar.zst of one file.
func sealedTarball(t *testing.T) string {
	t.Helper()
	testenv.RequireCommands(t, "tar", "zstd")
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "hello"), []byte("hello from the base\n"), 0o644))
	tb := filepath.Join(t.TempDir(), "base.tar.zst")
	_, err := run.Run(context.Background(), run.Cmd{Argv: []string{"tar", "--zstd", "-cf", tb, "-C", src, "."}})
	require.NoError(t, err)
	require.NoError(t, Seal(tb, time.Unix(1735689600, 0)))
	return tb
}

func TestASealRecordsTheEntrysSumAndEpoch(t *testing.T) {
	tb := sealedTarball(t)
	st, err := ReadStamp(tb)
	require.NoError(t, err)
	assert.Equal(t, int64(1735689600), st.Epoch.Unix())
	data, err := os.ReadFile(tb)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%x", sha256.Sum256(data)), st.SHA256)
}

func TestASealedEntryIsTrustedAndUnpacks(t *testing.T) {
	tb := sealedTarball(t)
	assert.True(t, Sealed(tb))
	dir := t.TempDir()
	require.NoError(t, Unpack(context.Background(), tb, dir))
	assert.FileExists(t, filepath.Join(dir, "hello"))
}

func TestATruncatedOrUnsealedEntryIsNotTrusted(t *testing.T) {
	tb := sealedTarball(t)
	fi, err := os.Stat(tb)
	require.NoError(t, err)
	require.NoError(t, os.Truncate(tb, fi.Size()/2))
	assert.False(t, Sealed(tb), "truncated")

	tb = sealedTarball(t)
	require.NoError(t, os.Remove(sumPath(tb)))
	assert.False(t, Sealed(tb), "no seal")
	assert.False(t, Sealed(filepath.Join(t.TempDir(), "missing.tar.zst")), "missing")
}

func TestAnEntryWhoseBytesChangedIsRemovedWhenUnpacked(t *testing.T) {
	tb := sealedTarball(t)
	data, err := os.ReadFile(tb)
	require.NoError(t, err)
	data[len(data)-5] ^= 0xff // same size, other bytes
	require.NoError(t, os.WriteFile(tb, data, 0o644))
	require.True(t, Sealed(tb), "the size still matches")
	err = Unpack(context.Background(), tb, t.TempDir())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is corrupt")
	assert.Contains(t, err.Error(), "the next build makes it again")
	assert.NoFileExists(t, tb)
	assert.NoFileExists(t, sumPath(tb))
}
