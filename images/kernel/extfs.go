package kernel

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

// The methods below make extFS an fs.FS with ReadDir, ReadLink and Lstat,
// so the kernel search works the same on ext, FAT and plain directories.

// maxLinks bounds how many symlinks one lookup follows.
const maxLinks = 40

// walk looks name up from the root directory, following symlinks in
// directories and, when followLast is set, in the last element. Absolute
// link targets start again at the root of this filesystem.
func (f *extFS) walk(op, name string, followLast bool) (*extInode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fail := func(err error) (*extInode, error) { return nil, &fs.PathError{Op: op, Path: name, Err: err} }
	stack := []uint32{extRootInode}
	todo := splitPath(name)
	links := 0
	for len(todo) > 0 {
		elem := todo[0]
		todo = todo[1:]
		if elem == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		dir, err := f.inode(stack[len(stack)-1])
		if err != nil {
			return fail(err)
		}
		if !dir.isDir() {
			return fail(errors.New("not a directory"))
		}
		ents, err := f.readDir(dir)
		if err != nil {
			return fail(err)
		}
		var in *extInode
		for _, e := range ents {
			if e.name == elem {
				if in, err = f.inode(e.inode); err != nil {
					return fail(err)
				}
				break
			}
		}
		if in == nil {
			return fail(fs.ErrNotExist)
		}
		if in.isSymlink() && (len(todo) > 0 || followLast) {
			if links++; links > maxLinks {
				return fail(errors.New("too many levels of symbolic links"))
			}
			target, err := f.readLink(in)
			if err != nil {
				return fail(err)
			}
			if strings.HasPrefix(target, "/") {
				stack = stack[:1]
			}
			todo = append(splitPath(target), todo...)
			continue
		}
		stack = append(stack, in.num)
	}
	return f.inode(stack[len(stack)-1])
}

// splitPath splits a slash-separated path into its elements, dropping
// empty ones and ".".
func splitPath(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" && e != "." {
			out = append(out, e)
		}
	}
	return out
}

// Open opens the named file, following symlinks.
func (f *extFS) Open(name string) (fs.File, error) {
	in, err := f.walk("open", name, true)
	if err != nil {
		return nil, err
	}
	return &extFile{fs: f, in: in, name: path.Base(name)}, nil
}

// Lstat describes the named file without following a final symlink.
func (f *extFS) Lstat(name string) (fs.FileInfo, error) {
	in, err := f.walk("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return extInfo{in: in, name: path.Base(name)}, nil
}

// ReadLink returns the target of the named symlink.
func (f *extFS) ReadLink(name string) (string, error) {
	in, err := f.walk("readlink", name, false)
	if err != nil {
		return "", err
	}
	if !in.isSymlink() {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return f.readLink(in)
}

// ReadDir lists the named directory, sorted by name.
func (f *extFS) ReadDir(name string) ([]fs.DirEntry, error) {
	in, err := f.walk("readdir", name, true)
	if err != nil {
		return nil, err
	}
	ents, err := f.readDir(in)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(ents))
	for _, e := range ents {
		out = append(out, &extEntry{fs: f, e: e})
	}
	sortEntries(out)
	return out, nil
}

// extEntry is a directory entry; its inode is read only when asked.
type extEntry struct {
	fs *extFS
	e  extDirent
}

func (d *extEntry) Name() string { return d.e.name }
func (d *extEntry) IsDir() bool  { return d.Type().IsDir() }

func (d *extEntry) Type() fs.FileMode {
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

func (d *extEntry) Info() (fs.FileInfo, error) {
	in, err := d.fs.inode(d.e.inode)
	if err != nil {
		return nil, err
	}
	return extInfo{in: in, name: d.e.name}, nil
}

// extInfo is the fs.FileInfo of an inode.
type extInfo struct {
	in   *extInode
	name string
}

func (i extInfo) Name() string       { return i.name }
func (i extInfo) Size() int64        { return i.in.size }
func (i extInfo) ModTime() time.Time { return time.Unix(int64(i.in.mtime), 0) }
func (i extInfo) IsDir() bool        { return i.in.isDir() }
func (i extInfo) Sys() any           { return nil }

func (i extInfo) Mode() fs.FileMode {
	m := fs.FileMode(i.in.mode & 0o777)
	switch i.in.mode & extTypeMask {
	case extDir:
		m |= fs.ModeDir
	case extSymlink:
		m |= fs.ModeSymlink
	case extRegular:
	default:
		m |= fs.ModeIrregular
	}
	return m
}

// extFile is an open file. WriteTo copies it in large reads; Read is
// there for fs.File and reads the whole file on first use.
type extFile struct {
	fs   *extFS
	in   *extInode
	name string
	rest []byte
	read bool
}

func (f *extFile) Stat() (fs.FileInfo, error) { return extInfo{in: f.in, name: f.name}, nil }
func (f *extFile) Close() error               { return nil }

// WriteTo writes the file's content to w.
func (f *extFile) WriteTo(w io.Writer) (int64, error) {
	if f.in.isDir() {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: errors.New("is a directory")}
	}
	return f.fs.writeFile(w, f.in)
}

func (f *extFile) Read(p []byte) (int, error) {
	if !f.read {
		var b bytesBuffer
		if _, err := f.WriteTo(&b); err != nil {
			return 0, err
		}
		f.rest, f.read = b.b, true
	}
	if len(f.rest) == 0 {
		return 0, io.EOF
	}
	n := copy(p, f.rest)
	f.rest = f.rest[n:]
	return n, nil
}
