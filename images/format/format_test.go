package format

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestQCOW2CompressionDefaultsToZlibAndAcceptsZstd(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Compression{"": Zlib, "zstd": Zstd, "ZLIB": Zlib, " zlib ": Zlib, "none": None} {
		c, err := ParseCompression(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, c, in)
	}
}

func TestAnUnknownQCOW2CompressionIsNamed(t *testing.T) {
	t.Parallel()
	_, err := ParseCompression("lz4")
	assert.ErrorContains(t, err, `unknown qcow2 compression "lz4"`)
}

func TestACompressedQCOW2UsesTheCompressionAsked(t *testing.T) {
	t.Parallel()
	for _, c := range []Compression{Zstd, Zlib} {
		argv, err := convertArgv("/b/disk.raw", "/o/out.qcow2", "qcow2", c)
		require.NoError(t, err)
		assert.Subset(t, argv, []string{"-c", "compression_type=" + string(c)})
		assert.Equal(t, []string{"/b/disk.raw", "/o/out.qcow2"}, argv[len(argv)-2:])
	}
}

func TestAnUncompressedQCOW2AndOtherTypesGetNoCompression(t *testing.T) {
	t.Parallel()
	argv, err := convertArgv("disk.raw", "out.qcow2", "qcow2", None)
	require.NoError(t, err)
	assert.NotContains(t, argv, "-c")
	argv, err = convertArgv("disk.raw", "out.vhd", "vhd", Zstd)
	require.NoError(t, err)
	assert.NotContains(t, argv, "-c")
	assert.Contains(t, argv, "vpc")
	_, err = convertArgv("disk.raw", "out.iso", "iso", Zstd)
	assert.ErrorContains(t, err, `unknown disk format "iso"`)
}

// TestOutputNamesThatLookRemoteAreLocalFiles writes outputs whose names tar
// reads as host:path and qemu-img as a protocol: each lands in the working
// directory, and nothing is contacted.
func TestOutputNamesThatLookRemoteAreLocalFiles(t *testing.T) {
	for _, c := range []string{"tar", "qemu-img"} {
		if _, err := exec.LookPath(c); err != nil {
			testenv.Unavailable(t, "needs "+c)
		}
	}
	dir := t.TempDir()
	t.Chdir(dir)
	tree := filepath.Join(dir, "tree")
	require.NoError(t, os.MkdirAll(tree, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(tree, "f"), []byte("x"), 0o644))
	ctx := context.Background()
	require.NoError(t, Tar(ctx, tree, "u@host:x.tar", time.Unix(1735689600, 0)))
	assert.FileExists(t, filepath.Join(dir, "u@host:x.tar"))

	raw := filepath.Join(dir, "disk.raw")
	require.NoError(t, os.WriteFile(raw, make([]byte, 1<<20), 0o644))
	require.NoError(t, Convert(ctx, "disk.raw", "nbd:localhost:9", "qcow2", None))
	assert.FileExists(t, filepath.Join(dir, "nbd:localhost:9"))
}
