package fatfs

import (
	"errors"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"
)

// The interfaces FS implements.
var (
	_ fs.ReadDirFS   = (*FS)(nil)
	_ fs.StatFS      = (*FS)(nil)
	_ fs.ReadDirFile = (*file)(nil)
)

// lookup finds the named entry; "." is the root directory.
func (f *FS) lookup(op, name string) (dirent, error) {
	if !fs.ValidPath(name) {
		return dirent{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	cur := dirent{name: ".", dir: true}
	if name == "." {
		return cur, nil
	}
	for _, elem := range strings.Split(name, "/") {
		if !cur.dir {
			return dirent{}, &fs.PathError{Op: op, Path: name, Err: errors.New("not a directory")}
		}
		d, err := f.readDir(cur.first)
		if err != nil {
			return dirent{}, &fs.PathError{Op: op, Path: name, Err: err}
		}
		i, ok := d.byName[strings.ToLower(elem)]
		if !ok {
			return dirent{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		cur = d.ents[i]
	}
	return cur, nil
}

// Open opens the named file or directory.
func (f *FS) Open(name string) (fs.File, error) {
	e, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	return &file{fs: f, e: e}, nil
}

// Stat describes the named file.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	e, err := f.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return info(e), nil
}

// ReadDir lists the named directory, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	e, err := f.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if !e.dir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return f.list(e.first, name)
}

// list returns the entries of the directory at cluster first, sorted by
// name.
func (f *FS) list(first uint32, name string) ([]fs.DirEntry, error) {
	d, err := f.readDir(first)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(d.ents))
	for _, e := range d.ents {
		out = append(out, fs.FileInfoToDirEntry(info(e)))
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// info is the fs.FileInfo of a directory entry.
type info dirent

func (i info) Name() string { return i.name }
func (i info) Size() int64  { return int64(i.size) }
func (i info) IsDir() bool  { return i.dir }
func (i info) Sys() any     { return nil }

func (i info) Mode() fs.FileMode {
	m := fs.FileMode(0o644)
	if i.readOnly {
		m = 0o444
	}
	if i.dir {
		m |= fs.ModeDir | 0o111
	}
	return m
}

// ModTime decodes the DOS date and time (local time, two-second steps),
// taken as UTC.
func (i info) ModTime() time.Time {
	return time.Date(1980+int(i.date>>9), time.Month(i.date>>5&0xf), int(i.date&0x1f),
		int(i.time>>11), int(i.time>>5&0x3f), 2*int(i.time&0x1f), 0, time.UTC)
}

// file is an open file or directory.
type file struct {
	fs   *FS
	e    dirent
	runs []run
	mapd bool
	pos  int64
	ents []fs.DirEntry // a directory's entries not yet read, once listed
	list bool
}

// ReadDir reads the next n entries of a directory (all when n <= 0).
func (f *file) ReadDir(n int) ([]fs.DirEntry, error) {
	if !f.e.dir {
		return nil, &fs.PathError{Op: "readdir", Path: f.e.name, Err: errors.New("not a directory")}
	}
	if !f.list {
		ents, err := f.fs.list(f.e.first, f.e.name)
		if err != nil {
			return nil, err
		}
		f.ents, f.list = ents, true
	}
	if n <= 0 {
		out := f.ents
		f.ents = nil
		return out, nil
	}
	if len(f.ents) == 0 {
		return nil, io.EOF
	}
	out := f.ents[:min(n, len(f.ents))]
	f.ents = f.ents[len(out):]
	return out, nil
}

func (f *file) Stat() (fs.FileInfo, error) { return info(f.e), nil }

func (f *file) Close() error { return nil }
