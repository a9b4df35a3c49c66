package outputs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// sync gives every file its mode and flushes it to disk, then the
// directories that hold them, so that what Place renames is complete.
func (s *Set) sync() error {
	for _, f := range s.files {
		if err := os.Chmod(f.tmp, f.mode); err != nil {
			return fmt.Errorf("output %s: %w", f.final, err)
		}
		if err := syncPath(f.tmp); err != nil {
			return fmt.Errorf("output %s: %w", f.final, err)
		}
	}
	return s.syncDirs()
}

// syncDirs flushes the directories of the set's files.
func (s *Set) syncDirs() error {
	seen := map[string]bool{}
	for _, f := range s.files {
		d := filepath.Dir(f.final)
		if seen[d] {
			continue
		}
		seen[d] = true
		if err := syncPath(d); err != nil {
			return fmt.Errorf("output directory %s: %w", d, err)
		}
	}
	return nil
}

// syncPath flushes the file or directory at p to disk.
func syncPath(p string) error {
	fh, err := os.Open(p)
	if err != nil {
		return err
	}
	return errors.Join(fh.Sync(), fh.Close())
}
