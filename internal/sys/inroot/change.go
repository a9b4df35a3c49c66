package inroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// Remove removes the entry p inside root: a file, a symbolic link (never
// what it points at) or an empty directory. A missing p is no error.
func Remove(root, p string) error {
	err := withParent(root, p, "remove", false, func(dirFD int, name string) error {
		err := unix.Unlinkat(dirFD, name, 0)
		if errors.Is(err, unix.EISDIR) {
			err = unix.Unlinkat(dirFD, name, unix.AT_REMOVEDIR)
		}
		return err
	})
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	return err
}

// Rename renames the entry oldp inside root to newp inside root, both
// resolved inside root up to their last names, which are never followed.
func Rename(root, oldp, newp string) error {
	return withParent(root, oldp, "rename", false, func(oldDir int, oldName string) error {
		return withParent(root, newp, "rename", false, func(newDir int, newName string) error {
			return unix.Renameat(oldDir, oldName, newDir, newName)
		})
	})
}

// Symlink makes p inside root a symbolic link to target, replacing what
// entry (not a directory) was there; its parents are made with mode 0755.
func Symlink(root, target, p string) error {
	return withParent(root, p, "link", true, func(dirFD int, name string) error {
		err := unix.Symlinkat(target, dirFD, name)
		if errors.Is(err, unix.EEXIST) {
			if err = unix.Unlinkat(dirFD, name, 0); err == nil {
				err = unix.Symlinkat(target, dirFD, name)
			}
		}
		return err
	})
}

// Lexists reports whether root has an entry at p, the last name not
// followed: a symbolic link exists even when it points nowhere.
func Lexists(root, p string) (bool, error) {
	found := false
	err := withParent(root, p, "look up", false, func(dirFD int, name string) error {
		var st unix.Stat_t
		err := unix.Fstatat(dirFD, name, &st, unix.AT_SYMLINK_NOFOLLOW)
		found = err == nil
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	})
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return false, nil
	}
	return found, err
}

// OpenPath opens p inside root, every link on the way and p itself
// resolved inside root, as an O_PATH descriptor: something to mount on
// (through /proc/self/fd) or to open relative to, never read.
func OpenPath(root, p string) (*os.File, error) {
	rootFD, err := openRoot(root)
	if err != nil {
		return nil, err
	}
	defer unix.Close(rootFD)
	fd, err := at(rootFD, p, unix.O_PATH, 0)
	if err != nil {
		return nil, fmt.Errorf("open %s in %s: %w", p, root, err)
	}
	return os.NewFile(uintptr(fd), path.Join(root, p)), nil
}

// RemoveMatching removes the entries of directory dir inside root whose
// names match pattern (path.Match), but for directories, and returns how
// many it removed. A missing dir has none.
func RemoveMatching(root, dir, pattern string) (int, error) {
	rootFD, err := openRoot(root)
	if err != nil {
		return 0, err
	}
	defer unix.Close(rootFD)
	fd, err := at(rootFD, dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("list %s in %s: %w", dir, root, err)
	}
	d := os.NewFile(uintptr(fd), path.Join(root, dir))
	defer d.Close()
	entries, err := d.ReadDir(-1)
	if err != nil {
		return 0, fmt.Errorf("list %s in %s: %w", dir, root, err)
	}
	n := 0
	var errs []error
	for _, e := range entries {
		if ok, _ := path.Match(pattern, e.Name()); !ok || e.Type()&fs.ModeDir != 0 {
			continue
		}
		if err := unix.Unlinkat(fd, e.Name(), 0); err != nil && !errors.Is(err, unix.ENOENT) {
			errs = append(errs, fmt.Errorf("remove %s in %s: %w", path.Join(dir, e.Name()), root, err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}
