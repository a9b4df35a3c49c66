// Package initramfs builds a Linux initramfs: a newc cpio archive made from
// a map of archive paths to records (files copied from disk, directories,
// symlinks, synthetic content, device nodes). Missing parent directories are
// filled in, paths are sorted so that parents come first, owners are root,
// timestamps are fixed and inode numbers follow the order, so the same
// inputs give the same bytes. The archive is compressed with gzip (the
// default) or zstd, both deterministic.
package initramfs

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Kind is the type of a record.
type Kind int

// The kinds of records.
const (
	File       Kind = iota // a regular file copied from Source
	Content                // a regular file holding Data
	Dir                    // a directory
	Symlink                // a symbolic link to Target
	CharDevice             // a character device node Major:Minor
)

// String names the kind.
func (k Kind) String() string {
	return [...]string{"file", "content", "directory", "symlink", "char device"}[k]
}

// Record is one entry of the archive.
type Record struct {
	Kind   Kind
	Source string      // File: the path on disk (followed if a link)
	Data   []byte      // Content
	Target string      // Symlink
	Mode   fs.FileMode // permission bits (and setuid, setgid, sticky); 0 for File means the source's
	Major  uint32      // CharDevice
	Minor  uint32      // CharDevice
	// Weak records yield to any other record for the same path, whichever is
	// added first: busybox applet links lose to real programs.
	Weak bool
}

func (r Record) equal(o Record) bool {
	return r.Kind == o.Kind && r.Source == o.Source && bytes.Equal(r.Data, o.Data) &&
		r.Target == o.Target && r.Mode == o.Mode && r.Major == o.Major && r.Minor == o.Minor
}

// Archive is a set of records by archive path. The zero value is not usable;
// call New.
type Archive struct {
	records map[string]Record
}

// New returns an empty archive.
func New() *Archive { return &Archive{records: map[string]Record{}} }

// Add puts r at path p (absolute or relative to the archive root). Adding
// an equal record again does nothing; adding a different one at a taken
// path is an error, unless one of the two is weak, which then yields.
func (a *Archive) Add(p string, r Record) error {
	name, err := clean(p)
	if err != nil {
		return err
	}
	old, ok := a.records[name]
	switch {
	case !ok || (old.Weak && !r.Weak):
		a.records[name] = r
	case r.Weak || old.equal(r):
	default:
		return fmt.Errorf("add %s to archive: already holds a %s, not the %s given", p, old.Kind, r.Kind)
	}
	return nil
}

// AddFile copies the file src on disk to dst, with src's mode.
func (a *Archive) AddFile(dst, src string) error {
	return a.Add(dst, Record{Kind: File, Source: src})
}

// AddContent puts a file holding data at dst with mode.
func (a *Archive) AddContent(dst string, data []byte, mode fs.FileMode) error {
	return a.Add(dst, Record{Kind: Content, Data: data, Mode: mode})
}

// AddDir puts a directory at dst with mode.
func (a *Archive) AddDir(dst string, mode fs.FileMode) error {
	return a.Add(dst, Record{Kind: Dir, Mode: mode})
}

// AddSymlink puts a symbolic link to target at dst.
func (a *Archive) AddSymlink(dst, target string) error {
	return a.Add(dst, Record{Kind: Symlink, Target: target, Mode: 0o777})
}

// AddCharDevice puts a character device node major:minor at dst with mode.
func (a *Archive) AddCharDevice(dst string, mode fs.FileMode, major, minor uint32) error {
	return a.Add(dst, Record{Kind: CharDevice, Mode: mode, Major: major, Minor: minor})
}

// AddEssentials adds what the kernel and an init script expect in every
// initramfs: /dev/console (5,1) and /dev/null (1,3), so that /init has a
// console before devtmpfs is mounted, and the mount points /proc, /sys,
// /dev, /run and /tmp.
func (a *Archive) AddEssentials() error {
	for _, d := range []string{"/dev", "/proc", "/sys", "/run"} {
		if err := a.AddDir(d, 0o755); err != nil {
			return err
		}
	}
	if err := a.AddDir("/tmp", 0o777|fs.ModeSticky); err != nil {
		return err
	}
	if err := a.AddCharDevice("/dev/console", 0o600, 5, 1); err != nil {
		return err
	}
	return a.AddCharDevice("/dev/null", 0o666, 1, 3)
}

// Get returns the record at p, if any.
func (a *Archive) Get(p string) (Record, bool) {
	name, err := clean(p)
	if err != nil {
		return Record{}, false
	}
	r, ok := a.records[name]
	return r, ok
}

// Paths returns the paths of the records added (without the parents filled
// in at write time), sorted, each starting with a slash.
func (a *Archive) Paths() []string {
	out := make([]string, 0, len(a.records))
	for name := range a.records {
		out = append(out, "/"+name)
	}
	sort.Strings(out)
	return out
}

// Copied is a file of the archive copied from disk.
type Copied struct {
	Path   string // in the archive, starting with a slash
	Source string // on disk
}

// Files returns the records that copy a file from disk, sorted by path.
func (a *Archive) Files() []Copied {
	var out []Copied
	for name, r := range a.records {
		if r.Kind == File {
			out = append(out, Copied{Path: "/" + name, Source: r.Source})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// clean turns p into an archive name: relative, cleaned, not the root and
// not climbing out of it.
func clean(p string) (string, error) {
	name := strings.TrimPrefix(path.Clean("/"+p), "/")
	if name == "" || strings.Contains("/"+p+"/", "/../") {
		return "", fmt.Errorf("add %q to archive: not a path below the archive root", p)
	}
	return name, nil
}
