package initramfs

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// AddTree copies paths from the directory tree root into the archive at
// the same paths: a symlink as a symlink, a regular file with its mode, a
// directory with everything below it. Symlinks among the parents of a path
// are resolved inside root (never on the host) and added as symlinks too,
// so "/lib/modules" in a merged-/usr root gives the link /lib -> usr/lib
// and the tree /usr/lib/modules. Device nodes, fifos and sockets are errors.
func (a *Archive) AddTree(root string, paths ...string) error {
	for _, p := range paths {
		dir, links, err := inroot.Resolve(root, path.Dir(path.Clean("/"+p)))
		if err != nil {
			return fmt.Errorf("add %s from %s: %w", p, root, err)
		}
		for _, l := range links {
			if err := a.AddSymlink(l.Path, l.Link); err != nil {
				return err
			}
		}
		if err := a.addEntry(root, path.Join(dir, path.Base(p))); err != nil {
			return err
		}
	}
	return nil
}

// addEntry adds p from root, recursively for a directory. The parents of
// p hold no symlink.
func (a *Archive) addEntry(root, p string) error {
	src := filepath.Join(root, p)
	fi, err := os.Lstat(src)
	if err != nil {
		return fmt.Errorf("add %s from %s: %w", p, root, err)
	}
	switch m := fi.Mode(); {
	case m&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return fmt.Errorf("add %s from %s: %w", p, root, err)
		}
		return a.AddSymlink(p, target)
	case m.IsRegular():
		return a.Add(p, Record{Kind: File, Source: src, Mode: m & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)})
	case m.IsDir():
		if err := a.AddDir(p, m&(fs.ModePerm|fs.ModeSticky)); err != nil {
			return err
		}
		entries, err := os.ReadDir(src)
		if err != nil {
			return fmt.Errorf("add %s from %s: %w", p, root, err)
		}
		for _, e := range entries {
			if err := a.addEntry(root, path.Join(p, e.Name())); err != nil {
				return err
			}
		}
		return nil
	default:
		return fmt.Errorf("add %s from %s: unsupported file type %s", p, root, m.Type())
	}
}
