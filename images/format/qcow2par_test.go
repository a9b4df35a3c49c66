package format

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// mixedDisk is a raw disk of size bytes crossing several parts: text that
// compresses, random bytes that do not (stored as they are), and holes.
func mixedDisk(t *testing.T, size int64) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mixed.raw")
	fh, err := os.Create(p)
	require.NoError(t, err)
	defer fh.Close()
	require.NoError(t, fh.Truncate(size))
	text := make([]byte, 1<<20)
	for i := range text {
		text[i] = "diskimage-builder "[i%18]
	}
	noise := make([]byte, 256<<10)
	rand.Read(noise)
	for off := int64(0); off+4<<20 < size; off += 9 << 20 {
		_, err := fh.WriteAt(text, off)
		require.NoError(t, err)
		_, err = fh.WriteAt(noise, off+(3<<20)+12345)
		require.NoError(t, err)
	}
	return p
}

func TestAParallelZlibQcow2IsValidHoldsTheDiskAndIsTheSameBytesEachTime(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "qemu-img")
	raw := mixedDisk(t, 300<<20+4096*3)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.qcow2"), filepath.Join(dir, "b.qcow2")
	start := time.Now()
	require.NoError(t, convertZlibParallel(context.Background(), raw, a))
	t.Logf("parallel zlib conversion: %s", time.Since(start))
	require.NoError(t, convertZlibParallel(context.Background(), raw, b))
	assert.True(t, sameBytes(t, a, b), "the same disk gives the same bytes")
	out, err := run.Output(context.Background(), "qemu-img", "check", "-f", "qcow2", a)
	assert.NoError(t, err, out)
	_, err = run.Output(context.Background(), "qemu-img", "compare", "-f", "qcow2", "-F", "raw", a, raw)
	assert.NoError(t, err, "it holds the disk")
	info, err := run.Output(context.Background(), "qemu-img", "info", a)
	require.NoError(t, err)
	assert.Contains(t, info, "compression type: zlib")
	entries, _ := os.ReadDir(filepath.Dir(raw))
	assert.Len(t, entries, 1, "no part is left beside the raw disk")
}
