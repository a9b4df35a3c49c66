// Package outputs places the files a build makes. Each is written under a
// temporary name beside its destination, known to the janitor until it is
// placed, and the set is placed as a unit: every file and its directory
// synced, then all files renamed into place, checksum files last, or, when
// one step fails, none (what was moved is moved back). An existing output
// is moved aside with a timestamp, or replaced when asked.
//
// The directory of the outputs and the temporary files are opened once and
// then only used through those descriptors: tools write a temporary file
// through its /proc/PID/fd path, so that no one who can write into the
// directory can swap a name for a symbolic link and have the build write
// somewhere else. For a build that root runs for another user (see
// asuser), every step in the directory is taken with that user's rights,
// so that the outputs belong to the user and the user's links are not
// followed.
package outputs

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/internal/sys/asuser"
)

// Registry is told of temporary files so that they are removed even when
// the build is killed; a *janitor.Janitor is one.
type Registry interface {
	Add(path string)
	Forget(path string)
}

// Set is the outputs of one build, written but not yet in place.
type Set struct {
	reg    Registry
	owner  *asuser.User        // nil: root's own build
	dirs   map[string]*os.File // the outputs' directories, by path
	files  []*file
	rename func(from, to string) error // renameat in the dirs; tests make it fail
}

type file struct {
	final, tmp string      // tmp: its path in the directory, for the janitor
	fh         *os.File    // open on tmp
	mode       os.FileMode // the mode it is placed with
	placed     bool
}

// NewSet starts a set whose temporary files reg is told of (reg may be
// nil), made and placed with owner's rights (nil: the process's own).
func NewSet(reg Registry, owner *asuser.User) *Set {
	s := &Set{reg: reg, owner: owner, dirs: map[string]*os.File{}}
	s.rename = s.renameAt
	return s
}

// Temp makes an empty temporary file beside final, for the output that goes
// there, and returns the path to write it through (/proc/PID/fd/N: the
// file itself, whatever happens to its name); Place makes it
// world-readable (0644). Discard removes it unless Place placed it.
func (s *Set) Temp(final string) (string, error) { return s.TempMode(final, 0o644) }

// TempMode is Temp for an output placed with mode (0600 for one that only
// its owner may read).
func (s *Set) TempMode(final string, mode os.FileMode) (string, error) {
	var f *file
	err := s.owner.Do(func() error {
		dir, err := s.dir(filepath.Dir(final))
		if err != nil {
			return err
		}
		for try := 0; ; try++ {
			name := "." + filepath.Base(final) + ".tmp-" + random()
			tmp := filepath.Join(filepath.Dir(final), name)
			s.add(tmp) // known before it exists
			fd, err := unix.Openat(int(dir.Fd()), name, unix.O_RDWR|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
			if err != nil {
				s.forget(tmp)
				if errors.Is(err, unix.EEXIST) && try < 100 {
					continue
				}
				return err
			}
			f = &file{final: final, tmp: tmp, fh: os.NewFile(uintptr(fd), tmp), mode: mode}
			return nil
		}
	})
	if err != nil {
		return "", fmt.Errorf("output %s: %w", final, err)
	}
	s.files = append(s.files, f)
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.fh.Fd()), nil
}

// dir returns the directory d, opened (once) with the owner's rights.
func (s *Set) dir(d string) (*os.File, error) {
	if fh, ok := s.dirs[d]; ok {
		return fh, nil
	}
	fh, err := os.OpenFile(d, os.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	s.dirs[d] = fh
	return fh, nil
}

// renameAt renames from to to, both in directories the set opened.
func (s *Set) renameAt(from, to string) error {
	fd, td := s.dirs[filepath.Dir(from)], s.dirs[filepath.Dir(to)]
	if fd == nil || td == nil {
		return fmt.Errorf("rename %s: not in an output directory", from)
	}
	return unix.Renameat(int(fd.Fd()), filepath.Base(from), int(td.Fd()), filepath.Base(to))
}

// lstat stats p, in a directory the set opened, without following a link.
func (s *Set) lstat(p string) (unix.Stat_t, error) {
	var st unix.Stat_t
	d := s.dirs[filepath.Dir(p)]
	if d == nil {
		return st, fmt.Errorf("stat %s: not in an output directory", p)
	}
	return st, unix.Fstatat(int(d.Fd()), filepath.Base(p), &st, unix.AT_SYMLINK_NOFOLLOW)
}

// remove removes the file p, in a directory the set opened.
func (s *Set) remove(p string) error {
	d := s.dirs[filepath.Dir(p)]
	if d == nil {
		return fmt.Errorf("remove %s: not in an output directory", p)
	}
	return unix.Unlinkat(int(d.Fd()), filepath.Base(p), 0)
}

func random() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (s *Set) add(p string) {
	if s.reg != nil {
		s.reg.Add(p)
	}
}

func (s *Set) forget(p string) {
	if s.reg != nil {
		s.reg.Forget(p)
	}
}

// stampLayout is the time format of AsideName.
const stampLayout = "20060102T150405"

// AsideName is where an old output is moved when a build replaces it:
// "out/vm.qcow2" becomes "out/vm.qcow2.20261126T055501".
func AsideName(final, stamp string) string { return final + "." + stamp }

// IsChecksum reports whether the output p is a checksum file (NAME.sha256,
// NAME.md5), which Place puts in place after the files it sums.
func IsChecksum(p string) bool {
	for _, kind := range ChecksumKinds {
		if strings.HasSuffix(p, "."+kind) {
			return true
		}
	}
	return false
}
