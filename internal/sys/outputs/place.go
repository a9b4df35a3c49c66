package outputs

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// Place puts every file of the set in place, with its mode: data files in
// the order Temp made them, then checksum files (see IsChecksum), so that a
// checksum never names a file that is not there yet. An output already at a
// destination is renamed to AsideName (with the time of this call), or
// replaced when overwrite is set. When a step fails, the files placed so
// far go back to their temporary names and the old outputs to their
// places, and the error says what failed; Discard then removes the
// temporaries. Every step is taken with the set's owner's rights.
func (s *Set) Place(overwrite bool) error {
	return s.owner.Do(func() error { return s.place(overwrite) })
}

func (s *Set) place(overwrite bool) (err error) {
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
		if _, lerr := s.lstat(f.final); lerr == nil {
			old, err := s.asidePath(f.final, stamp, overwrite)
			if err != nil {
				return err
			}
			if err := s.rename(f.final, old); err != nil {
				return fmt.Errorf("move old output %s aside: %w", f.final, errors.Join(err, s.removeEmpty(old, overwrite)))
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
		f.fh.Close()
		s.forget(f.tmp)
	}
	for _, old := range replaced {
		if err := s.remove(old); err != nil {
			errs = append(errs, fmt.Errorf("remove replaced output %s: %w", old, err))
		}
	}
	return errors.Join(errs...)
}

// Discard removes every temporary file that was not placed, and closes
// the set. Call it deferred, after Place or instead of it.
func (s *Set) Discard() error {
	var errs []error
	err := s.owner.Do(func() error {
		for _, f := range s.files {
			if f.placed {
				continue
			}
			f.fh.Close()
			if err := s.remove(f.tmp); err != nil && !errors.Is(err, unix.ENOENT) {
				errs = append(errs, fmt.Errorf("remove temporary output %s: %w", f.tmp, err))
				continue
			}
			f.placed = true // gone
			s.forget(f.tmp)
		}
		return nil
	})
	for d, fh := range s.dirs {
		fh.Close()
		delete(s.dirs, d)
	}
	return errors.Join(append(errs, err)...)
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
		d := s.dirs[filepath.Dir(final)]
		for try := 0; ; try++ {
			name := "." + filepath.Base(final) + ".old-" + random()
			fd, err := unix.Openat(int(d.Fd()), name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
			if errors.Is(err, unix.EEXIST) && try < 100 {
				continue
			}
			if err != nil {
				return "", fmt.Errorf("replace output %s: %w", final, err)
			}
			return filepath.Join(filepath.Dir(final), name), unix.Close(fd)
		}
	}
	p := AsideName(final, stamp)
	for i := 2; ; i++ {
		if _, err := s.lstat(p); errors.Is(err, unix.ENOENT) {
			return p, nil
		}
		p = AsideName(final, stamp) + "-" + strconv.Itoa(i)
	}
}

// removeEmpty removes the placeholder asidePath made for a replaced output.
func (s *Set) removeEmpty(p string, made bool) error {
	if !made {
		return nil
	}
	return s.remove(p)
}

// sync gives every file its mode and flushes it to disk, then the
// directories that hold them, so that what Place renames is complete.
func (s *Set) sync() error {
	for _, f := range s.files {
		if err := f.fh.Chmod(f.mode); err != nil {
			return fmt.Errorf("output %s: %w", f.final, err)
		}
		if err := f.fh.Sync(); err != nil {
			return fmt.Errorf("output %s: %w", f.final, err)
		}
	}
	return s.syncDirs()
}

// syncDirs flushes the directories of the set's files.
func (s *Set) syncDirs() error {
	for d, fh := range s.dirs {
		if err := fh.Sync(); err != nil {
			return fmt.Errorf("output directory %s: %w", d, err)
		}
	}
	return nil
}
