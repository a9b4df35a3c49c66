// Package outputs places the files a build makes. Each is written under a
// temporary name beside its destination, known to the janitor until it is
// placed, and the set is placed as a unit: every file and its directory
// synced, then all files renamed into place, checksum files last, or, when
// one step fails, none (what was moved is moved back). An existing output
// is moved aside with a timestamp, or replaced when asked.
package outputs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
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
	files  []*file
	rename func(from, to string) error // os.Rename; tests make it fail
}

type file struct {
	final, tmp string
	mode       os.FileMode // the mode it is placed with
	placed     bool
}

// NewSet starts a set whose temporary files reg is told of; reg may be nil.
func NewSet(reg Registry) *Set { return &Set{reg: reg, rename: os.Rename} }

// Temp makes an empty temporary file beside final, for the output that goes
// there, and returns its path; Place makes it world-readable (0644).
// Discard removes it unless Place placed it.
func (s *Set) Temp(final string) (string, error) { return s.TempMode(final, 0o644) }

// TempMode is Temp for an output placed with mode (0600 for one that only
// its owner may read).
func (s *Set) TempMode(final string, mode os.FileMode) (string, error) {
	fh, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".tmp-")
	if err != nil {
		return "", fmt.Errorf("output %s: %w", final, err)
	}
	s.add(fh.Name())
	s.files = append(s.files, &file{final: final, tmp: fh.Name(), mode: mode})
	if err := fh.Close(); err != nil {
		return "", fmt.Errorf("output %s: %w", final, err)
	}
	return fh.Name(), nil
}

// Place puts every file of the set in place, with its mode: data files in
// the order Temp made them, then checksum files (see IsChecksum), so that a
// checksum never names a file that is not there yet. An output already at a
// destination is renamed to AsideName (with the time of this call), or
// replaced when overwrite is set. When a step fails, the files placed so
// far go back to their temporary names and the old outputs to their
// places, and the error says what failed; Discard then removes the
// temporaries.
func (s *Set) Place(overwrite bool) (err error) {
	if err := s.sync(); err != nil {
		return err
	}
	stamp := time.Now().Format(stampLayout)
	var undo []func() error
	var replaced []string // old outputs to remove once all is placed
	defer func() {
		if err != nil {
			for i := len(undo) - 1; i >= 0; i-- {
				err = errors.Join(err, undo[i]())
			}
		}
	}()
	for _, f := range s.ordered() {
		if _, lerr := os.Lstat(f.final); lerr == nil {
			old, err := s.asidePath(f.final, stamp, overwrite)
			if err != nil {
				return err
			}
			if err := s.rename(f.final, old); err != nil {
				return fmt.Errorf("move old output %s aside: %w", f.final, errors.Join(err, removeEmpty(old, overwrite)))
			}
			undo = append(undo, func() error { return s.rename(old, f.final) })
			if overwrite {
				replaced = append(replaced, old)
			}
		}
		if err := s.rename(f.tmp, f.final); err != nil {
			return fmt.Errorf("put output %s in place: %w", f.final, err)
		}
		undo = append(undo, func() error { return s.rename(f.final, f.tmp) })
	}
	if err := s.syncDirs(); err != nil {
		return err
	}
	var errs []error
	for _, f := range s.files {
		f.placed = true
		s.forget(f.tmp)
	}
	for _, old := range replaced {
		if err := os.Remove(old); err != nil {
			errs = append(errs, fmt.Errorf("remove replaced output: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Discard removes every temporary file that was not placed. Call it
// deferred, after Place or instead of it.
func (s *Set) Discard() error {
	var errs []error
	for _, f := range s.files {
		if f.placed {
			continue
		}
		if err := os.Remove(f.tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("remove temporary output: %w", err))
			continue
		}
		s.forget(f.tmp)
	}
	return errors.Join(errs...)
}

// ordered is the set's files in the order Place puts them in place.
func (s *Set) ordered() []*file {
	out := slices.Clone(s.files)
	slices.SortStableFunc(out, func(a, b *file) int {
		switch ca, cb := IsChecksum(a.final), IsChecksum(b.final); {
		case ca == cb:
			return 0
		case ca:
			return 1
		}
		return -1
	})
	return out
}

// asidePath is where the old output at final goes: a free AsideName, or
// with overwrite a hidden name of its own, removed once the set is placed.
func (s *Set) asidePath(final, stamp string, overwrite bool) (string, error) {
	if overwrite {
		fh, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".old-")
		if err != nil {
			return "", fmt.Errorf("replace output %s: %w", final, err)
		}
		return fh.Name(), fh.Close()
	}
	p := AsideName(final, stamp)
	for i := 2; ; i++ {
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			return p, nil
		}
		p = AsideName(final, stamp) + "-" + strconv.Itoa(i)
	}
}

// removeEmpty removes the placeholder asidePath made for a replaced output.
func removeEmpty(p string, made bool) error {
	if !made {
		return nil
	}
	return os.Remove(p)
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
