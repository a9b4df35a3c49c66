package extfs

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"
)

// The interfaces FS implements.
var (
	_ fs.ReadDirFS   = (*FS)(nil)
	_ fs.ReadLinkFS  = (*FS)(nil)
	_ fs.StatFS      = (*FS)(nil)
	_ fs.ReadDirFile = (*file)(nil)
)

// Open opens the named file, following symlinks.
func (f *FS) Open(name string) (fs.File, error) {
	in, err := f.walk("open", name, true)
	if err != nil {
		return nil, err
	}
	return &file{fs: f, in: in, name: path.Base(name)}, nil
}

// Stat describes the named file, following symlinks.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	in, err := f.walk("stat", name, true)
	if err != nil {
		return nil, err
	}
	return info{in: in, name: path.Base(name)}, nil
}

// Lstat describes the named file without following a final symlink.
func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	in, err := f.walk("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return info{in: in, name: path.Base(name)}, nil
}

// ReadLink returns the target of the named symlink.
func (f *FS) ReadLink(name string) (string, error) {
	in, err := f.walk("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !in.isLink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	target, err := f.readLink(in)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: err}
	}
	return target, nil
}

// ReadDir lists the named directory, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	in, err := f.walk("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !in.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return f.list(in, name)
}

// list returns the entries of directory in, sorted by name.
func (f *FS) list(in *inode, name string) ([]fs.DirEntry, error) {
	d, err := f.readDir(in)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(d.ents))
	for _, e := range d.ents {
		out = append(out, &entry{fs: f, e: e})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// entry is a directory entry; its inode is read only when asked.
type entry struct {
	fs *FS
	e  dirent
}

func (d *entry) Name() string { return d.e.name }
func (d *entry) IsDir() bool  { return d.Type().IsDir() }

func (d *entry) Type() fs.FileMode {
	switch d.e.ftype {
	case 1:
		return 0
	case 2:
		return fs.ModeDir
	case 7:
		return fs.ModeSymlink
	}
	if info, err := d.Info(); err == nil {
		return info.Mode().Type()
	}
	return fs.ModeIrregular
}

func (d *entry) Info() (fs.FileInfo, error) {
	in, err := d.fs.inode(d.e.inode)
	if err != nil {
		return nil, err
	}
	return info{in: in, name: d.e.name}, nil
}

// info is the fs.FileInfo of an inode.
type info struct {
	in   *inode
	name string
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return i.in.size }
func (i info) ModTime() time.Time { return time.Unix(int64(i.in.mtime), 0) }
func (i info) IsDir() bool        { return i.in.isDir() }
func (i info) Sys() any           { return nil }

func (i info) Mode() fs.FileMode {
	m := fs.FileMode(i.in.mode & 0o777)
	switch i.in.mode & typeMask {
	case typeDir:
		m |= fs.ModeDir
	case typeLink:
		m |= fs.ModeSymlink
	case typeFile:
	default:
		m |= fs.ModeIrregular
	}
	return m
}

// file is an open file. WriteTo copies it in large reads; Read reads it
// a piece at a time.
type file struct {
	fs   *FS
	in   *inode
	name string
	xs   []extent
	mapd bool
	pos  int64
	ents []fs.DirEntry // a directory's entries not yet read, once listed
	list bool
}

// ReadDir reads the next n entries of a directory (all when n <= 0).
func (f *file) ReadDir(n int) ([]fs.DirEntry, error) {
	if !f.in.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: f.name, Err: errors.New("not a directory")}
	}
	if !f.list {
		ents, err := f.fs.list(f.in, f.name)
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

func (f *file) Stat() (fs.FileInfo, error) { return info{in: f.in, name: f.name}, nil }
func (f *file) Close() error               { return nil }

// WriteTo writes the file's content to w: Size bytes, which the caller
// checks first when the filesystem is not its own.
func (f *file) WriteTo(w io.Writer) (int64, error) {
	if f.in.isDir() {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errors.New("is a directory")}
	}
	n, err := f.fs.writeFile(w, f.in)
	if err != nil {
		return n, &fs.PathError{Op: "read", Path: f.name, Err: err}
	}
	f.pos = f.in.size
	return n, nil
}

// Read reads the next len(p) bytes of the file.
func (f *file) Read(p []byte) (int, error) {
	if f.in.isDir() {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errors.New("is a directory")}
	}
	if !f.mapd {
		xs, err := f.fs.extents(f.in, f.fs.blocksFor(f.in.size))
		if err != nil {
			return 0, &fs.PathError{Op: "read", Path: f.name, Err: err}
		}
		f.xs, f.mapd = xs, true
	}
	n, err := f.fs.readFileAt(f.in, f.xs, p, f.pos)
	f.pos += int64(n)
	return n, err
}
