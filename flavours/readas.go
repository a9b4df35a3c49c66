package flavours

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ReadAs runs fn with the rights of the user a build reads flavours for
// (asuser.User.Do); nil reads them with the process's own rights.
type ReadAs func(fn func() error) error

func (as ReadAs) do(fn func() error) error {
	if as == nil {
		return fn()
	}
	return as(fn)
}

// CheckReadable opens every file of the flavours on disk for reading with
// as's rights, so that a build root runs for another user (through sudo)
// copies nothing that user could not read: a flavour directory, or a link
// to one, where only root may look is refused before anything is built.
// It returns the first file that cannot be read.
func (s *Set) CheckReadable(as ReadAs) error {
	for _, f := range s.Flavours {
		if !f.onDisk {
			continue
		}
		err := fs.WalkDir(f.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			// Every file, the ones only read to plan (flavour-deps,
			// bootstrap-packages, README, element metadata) too; a link is
			// copied as a link, its target never read.
			if err != nil || d.IsDir() || d.Type()&fs.ModeSymlink != 0 {
				return err
			}
			return as.do(func() error {
				fh, err := os.OpenFile(filepath.Join(f.Dir, filepath.FromSlash(p)), os.O_RDONLY|unix.O_NONBLOCK, 0)
				if err == nil {
					fh.Close()
				}
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("flavour %s: %w", f.Name, err)
		}
	}
	return nil
}
