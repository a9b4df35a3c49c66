package extfs

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// Limits on what is read whole into memory.
const (
	// MaxDirSize bounds a directory's size: a directory of 300,000
	// entries with 30-byte names stays below it.
	MaxDirSize = 16 << 20
	// MaxLinkSize bounds a symlink's target, as the kernel's PATH_MAX does.
	MaxLinkSize = 4096
	// maxLinks bounds how many symlinks one lookup follows.
	maxLinks = 40
	// maxCachedDirs and maxCachedBytes bound the directories kept parsed.
	maxCachedDirs  = 16
	maxCachedBytes = 32 << 20
)

// dirent is one directory entry.
type dirent struct {
	name  string
	inode uint32
	ftype uint8 // 1 file, 2 dir, 7 symlink; 0 unknown
}

// dir is a parsed directory: its entries in on-disk order, and by name.
type dir struct {
	ents   []dirent
	byName map[string]uint32
	size   int64 // bytes of directory read
}

// dirCache keeps the last directories parsed, so that looking up many
// names in one directory reads and parses it once.
type dirCache struct {
	m     map[uint32]*dir
	order []uint32
	bytes int64
}

// add keeps d as the directory of inode num, dropping the oldest
// directories to stay within the cache's bounds.
func (c *dirCache) add(num uint32, d *dir) {
	if c.m == nil {
		c.m = map[uint32]*dir{}
	}
	for len(c.order) > 0 && (len(c.order) >= maxCachedDirs || c.bytes+d.size > maxCachedBytes) {
		c.bytes -= c.m[c.order[0]].size
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[num], c.bytes = d, c.bytes+d.size
	c.order = append(c.order, num)
}

// readAll returns the content of a directory or symlink, at most limit
// bytes long.
func (f *FS) readAll(in *inode, limit int64) ([]byte, error) {
	if in.size > limit {
		return nil, fmt.Errorf("inode %d: %d bytes is more than the %d a directory or link may have", in.num, in.size, limit)
	}
	w := &bytesBuffer{b: make([]byte, 0, in.size)}
	_, err := f.writeFile(w, in)
	return w.b, err
}

// readDir parses a directory, scanning its blocks linearly: hashed-tree
// index blocks look like empty entries and are skipped.
func (f *FS) readDir(in *inode) (*dir, error) {
	if d := f.dirs.m[in.num]; d != nil {
		return d, nil
	}
	b, err := f.readAll(in, MaxDirSize)
	if err != nil {
		return nil, err
	}
	d := &dir{byName: map[string]uint32{}, size: int64(len(b))}
	for off := 0; off+8 <= len(b); {
		ino, recLen := le.Uint32(b[off:]), int(le.Uint16(b[off+4:]))
		nameLen, ftype := int(b[off+6]), b[off+7]
		if f.incompat&incompatFiletype == 0 {
			nameLen, ftype = int(le.Uint16(b[off+6:])), 0
		}
		if recLen < 8 || recLen > len(b)-off || nameLen > recLen-8 {
			return nil, fmt.Errorf("inode %d: corrupt directory entry at %d", in.num, off)
		}
		if name := string(b[off+8 : off+8+nameLen]); ino != 0 && name != "." && name != ".." && name != "" {
			if _, dup := d.byName[name]; !dup {
				d.ents = append(d.ents, dirent{name: name, inode: ino, ftype: ftype})
				d.byName[name] = ino
			}
		}
		off += recLen
	}
	f.dirs.add(in.num, d)
	return d, nil
}

// readLink returns the target of a symlink inode.
func (f *FS) readLink(in *inode) (string, error) {
	if in.size < inodeBlockSize && in.flags&inodeExtentsFlag == 0 {
		return string(in.block[:in.size]), nil
	}
	b, err := f.readAll(in, MaxLinkSize)
	return string(b), err
}

// walk looks name up from the root directory, following symlinks in
// directories and, when followLast is set, in the last element. Absolute
// link targets start again at the root of this filesystem; ".." at the
// root stays there.
func (f *FS) walk(op, name string, followLast bool) (*inode, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	fail := func(err error) (*inode, error) { return nil, &fs.PathError{Op: op, Path: name, Err: err} }
	stack := []uint32{rootInode}
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
		parent, err := f.inode(stack[len(stack)-1])
		if err != nil {
			return fail(err)
		}
		if !parent.isDir() {
			return fail(errors.New("not a directory"))
		}
		d, err := f.readDir(parent)
		if err != nil {
			return fail(err)
		}
		num, ok := d.byName[elem]
		if !ok {
			return fail(fs.ErrNotExist)
		}
		in, err := f.inode(num)
		if err != nil {
			return fail(err)
		}
		if in.isLink() && (len(todo) > 0 || followLast) {
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
	in, err := f.inode(stack[len(stack)-1])
	if err != nil {
		return fail(err)
	}
	return in, nil
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

// bytesBuffer collects small file contents (directories, symlinks).
type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
