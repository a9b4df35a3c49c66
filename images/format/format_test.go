package format

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestQCOW2CompressionDefaultsToZstdAndAcceptsZlib(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Compression{"": Zstd, "zstd": Zstd, "ZLIB": Zlib, " zlib ": Zlib, "none": None} {
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
		argv, err := convertArgv("disk.raw", "out.qcow2", "qcow2", c)
		require.NoError(t, err)
		assert.Subset(t, argv, []string{"-c", "compression_type=" + string(c)})
		assert.Equal(t, []string{"disk.raw", "out.qcow2"}, argv[len(argv)-2:])
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
