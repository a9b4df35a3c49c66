package disk

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/fuzzguard"
)

// peHeader is a PE32+ file of headers only whose optional header claims
// dirs data directories, with a certificate table of certSize bytes.
func peHeader(dirs uint32, certSize uint32) []byte {
	const lfanew = 0x40
	opt := make([]byte, 112+8*int(dirs))
	binary.LittleEndian.PutUint16(opt, 0x20b)      // PE32+
	binary.LittleEndian.PutUint32(opt[108:], dirs) // NumberOfRvaAndSizes
	if dirs > 4 {
		binary.LittleEndian.PutUint32(opt[112+8*4+4:], certSize) // IMAGE_DIRECTORY_ENTRY_SECURITY
	}
	b := make([]byte, lfanew, lfanew+24+len(opt))
	copy(b, "MZ")
	binary.LittleEndian.PutUint32(b[0x3c:], lfanew)
	b = append(b, "PE\x00\x00"...)
	fh := make([]byte, 20)
	binary.LittleEndian.PutUint16(fh, 0x8664)                // Machine
	binary.LittleEndian.PutUint16(fh[16:], uint16(len(opt))) // SizeOfOptionalHeader
	b = append(b, fh...)
	return append(b, opt...)
}

func TestCheckSignedTakesTheHeadersCountOfDirectoriesAsAClaimNotAFact(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	check := func(name string, b []byte) error {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, b, 0o644))
		return checkSigned(p)
	}
	assert.NoError(t, check("signed", peHeader(16, 0x1000)))
	assert.ErrorContains(t, check("unsigned", peHeader(16, 0)), "not signed")
	assert.ErrorContains(t, check("few", peHeader(4, 0)), "not signed", "no room for a certificate table")
	assert.NoError(t, check("many", peHeader(200, 0x1000)), "more directories than PE has: no panic")
	assert.ErrorContains(t, check("many-unsigned", peHeader(4000, 0)), "not signed")
	assert.Error(t, check("not-pe", []byte("#!/bin/sh\n")))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d"), 0o755))
	assert.ErrorContains(t, checkSigned(filepath.Join(dir, "d")), "not a regular file")
}

// FuzzCheckSigned checks the PE headers of fuzzed files, as the build
// checks a tree's kernel and boot chain: no panic, bounded allocations.
func FuzzCheckSigned(f *testing.F) {
	f.Add(peHeader(16, 0x1000))
	f.Add(peHeader(200, 0))
	f.Add(peHeader(4, 0))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		fh, err := os.CreateTemp(dir, "pe")
		require.NoError(t, err)
		defer os.Remove(fh.Name())
		_, err = fh.Write(b)
		require.NoError(t, errors.Join(err, fh.Close()))
		fuzzguard.Run(t, func() { _ = checkSigned(fh.Name()) })
	})
}
