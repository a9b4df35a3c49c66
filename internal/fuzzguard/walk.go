package fuzzguard

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
)

// Bounds of WalkFS, so that a valid filesystem of many large files does
// not trip MaxAlloc.
// A corrupt filesystem may have a directory inside itself: the depth
// bound ends such a walk.
const (
	maxEntries  = 1000
	maxDepth    = 6
	maxFileSize = 1 << 20
)

// WalkFS reads what a filesystem made from a fuzzed input holds: every
// directory (up to 1,000 entries in all, 6 levels deep), symlink and file
// (up to 1 MiB each). Errors are expected and ignored; a panic, or a file whose
// content disagrees with its size or reads differently through Read and
// WriteTo, fails t.
func WalkFS(t testing.TB, fsys fs.FS) {
	t.Helper()
	seen := 0
	_ = fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if seen++; err != nil || seen > maxEntries || strings.Count(name, "/") >= maxDepth {
			return fs.SkipDir
		}
		if d.Type()&fs.ModeSymlink != 0 {
			_, _ = fs.ReadLink(fsys, name)
		}
		info, err := fs.Stat(fsys, name) // follows links
		if err != nil || !info.Mode().IsRegular() || info.Size() > maxFileSize {
			return nil
		}
		whole, err := readFile(fsys, name, true)
		if err != nil {
			return nil
		}
		if int64(len(whole)) != info.Size() {
			t.Fatalf("%s: read %d bytes of a %d-byte file", name, len(whole), info.Size())
		}
		pieces, err := readFile(fsys, name, false)
		if err == nil && !bytes.Equal(whole, pieces) {
			t.Fatalf("%s: Read and WriteTo give different content", name)
		}
		return nil
	})
}

// readFile reads name through the file's WriteTo, or through Read in
// small pieces.
func readFile(fsys fs.FS, name string, writeTo bool) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if wt, ok := f.(io.WriterTo); ok && writeTo {
		_, err = wt.WriteTo(&buf)
		return buf.Bytes(), err
	}
	p := make([]byte, 777)
	for {
		n, err := f.Read(p)
		buf.Write(p[:n])
		if errors.Is(err, io.EOF) {
			return buf.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
	}
}
