// Package archivetest reads initramfs archives back and checks them, so
// ramdisk assembly is tested without root or QEMU: read an archive with
// Read or ReadFile, then check it with validators such as HasFile,
// HasContent, HasSymlink, MissingFile and HasMode. The newc reader here is
// independent of the writer, so it checks the writer's output too.
package archivetest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"

	"github.com/klauspost/compress/zstd"
)

// Entry is one entry of a newc archive.
type Entry struct {
	Name         string // as stored, without a leading slash
	Ino          uint32
	Mode         uint32 // type and permission bits as in st_mode
	UID, GID     uint32
	NLink        uint32
	MTime        uint32
	Major, Minor uint32 // rdev, for device nodes
	Data         []byte // file content, or the target of a symlink
}

// Type bits of Entry.Mode.
const (
	TypeMask    = 0o170000
	TypeDir     = 0o040000
	TypeReg     = 0o100000
	TypeSymlink = 0o120000
	TypeChar    = 0o020000
)

// Perm returns the permission and special bits as an fs.FileMode.
func (e Entry) Perm() fs.FileMode {
	m := fs.FileMode(e.Mode & 0o777)
	if e.Mode&0o4000 != 0 {
		m |= fs.ModeSetuid
	}
	if e.Mode&0o2000 != 0 {
		m |= fs.ModeSetgid
	}
	if e.Mode&0o1000 != 0 {
		m |= fs.ModeSticky
	}
	return m
}

// Archive is an archive read back: its entries in order, and by name.
type Archive struct {
	Entries []Entry
	ByName  map[string]Entry // keys with a leading slash
}

// ReadFile reads the archive in file p.
func ReadFile(p string) (*Archive, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read archive %s: %w", p, err)
	}
	defer f.Close()
	a, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("read archive %s: %w", p, err)
	}
	return a, nil
}

// Read reads a newc archive, gzip or zstd compressed or not (told by its
// first bytes).
func Read(r io.Reader) (*Archive, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(4)
	var src io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read gzip: %w", err)
		}
		src = zr
	case bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("read zstd: %w", err)
		}
		defer zr.Close()
		src = zr
	}
	raw, err := io.ReadAll(src)
	if err != nil {
		return nil, fmt.Errorf("decompress: %w", err)
	}
	return parse(raw)
}

// parse reads newc entries up to the TRAILER!!! entry.
func parse(b []byte) (*Archive, error) {
	a := &Archive{ByName: map[string]Entry{}}
	off := 0
	for {
		if off+110 > len(b) {
			return nil, fmt.Errorf("parse newc at offset %d: truncated header", off)
		}
		h := b[off : off+110]
		if string(h[:6]) != "070701" {
			return nil, fmt.Errorf("parse newc at offset %d: bad magic %q", off, h[:6])
		}
		var f [13]uint32
		for i := range f {
			v, err := strconv.ParseUint(string(h[6+8*i:14+8*i]), 16, 32)
			if err != nil {
				return nil, fmt.Errorf("parse newc at offset %d: field %d: %w", off, i, err)
			}
			f[i] = uint32(v)
		}
		size, nameLen := int(f[6]), int(f[11])
		nameEnd := off + 110 + nameLen
		if nameLen < 1 || nameEnd > len(b) {
			return nil, fmt.Errorf("parse newc at offset %d: bad name size %d", off, nameLen)
		}
		name := string(b[off+110 : nameEnd-1])
		dataOff := align4(nameEnd)
		if dataOff+size > len(b) {
			return nil, fmt.Errorf("parse newc entry %s: truncated data", name)
		}
		if name == "TRAILER!!!" {
			return a, nil
		}
		e := Entry{Name: name, Ino: f[0], Mode: f[1], UID: f[2], GID: f[3], NLink: f[4],
			MTime: f[5], Major: f[9], Minor: f[10], Data: b[dataOff : dataOff+size]}
		a.Entries = append(a.Entries, e)
		a.ByName["/"+name] = e
		off = align4(dataOff + size)
	}
}

func align4(n int) int { return (n + 3) &^ 3 }
