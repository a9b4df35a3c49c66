package flavours

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// skippedDirs are the top-level directories of an element DIB does not
// copy into the hook tree.
var skippedDirs = map[string]bool{"tests": true, "__pycache__": true}

// WriteTree copies every flavour's files into dir, merged in dependency
// order, as the hooks see them at $TMP_HOOKS_PATH: dir/install.d/NAME,
// dir/environment.d/NAME, and any data files the flavours carry.
// A flavour's README files, flavour-deps and bootstrap-packages are left
// out; an element's directories but tests and __pycache__ are copied, and
// its top-level files, as DIB does. The files are read with as's rights
// (nil: the process's own), see CheckReadable.
func (s *Set) WriteTree(dir string, as ReadAs) error {
	for _, f := range s.Flavours {
		err := f.walk(func(p string, d fs.DirEntry) error {
			dst := filepath.Join(dir, filepath.FromSlash(p))
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			return copyFile(f, p, d, dst, as)
		})
		if err != nil {
			return fmt.Errorf("copy flavour %s into %s: %w", f.Name, dir, err)
		}
	}
	return nil
}

// walk calls fn for every file and directory of f that goes into the
// hook tree, parents first. A top-level directory of an element that is a
// link to a directory is walked as a directory, as DIB's find -follow does.
func (f *Flavour) walk(fn func(p string, d fs.DirEntry) error) error {
	return fs.WalkDir(f.fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		top := !strings.Contains(p, "/")
		if f.DIB && top {
			if fi, err := fs.Stat(f.fsys, p); err == nil && fi.IsDir() {
				if skippedDirs[p] {
					return fs.SkipDir
				}
				if !d.IsDir() { // a link to a directory
					if err := fn(p, fs.FileInfoToDirEntry(fi)); err != nil {
						return err
					}
					return f.walkUnder(p, fn)
				}
			} else if strings.HasSuffix(p, ".pyc") {
				return nil
			}
		}
		if !f.DIB && skipFile(p, d) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		return fn(p, d)
	})
}

// walkUnder walks below the directory root (reached through a link).
func (f *Flavour) walkUnder(root string, fn func(p string, d fs.DirEntry) error) error {
	return fs.WalkDir(f.fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == root {
			return err
		}
		return fn(p, d)
	})
}

// checkDuplicates refuses, as DIB's hook tree does, a file that two
// flavours put at the same place when one of them is an element: only
// the first level of each directory counts (DIB merges deeper levels).
func (s *Set) checkDuplicates() error {
	seen := map[string]*Flavour{}
	for _, f := range s.Flavours {
		err := f.walk(func(p string, d fs.DirEntry) error {
			if d.IsDir() || strings.Count(p, "/") != 1 {
				return nil
			}
			if prev := seen[p]; prev != nil && (prev.DIB || f.DIB) && prev != f {
				return fmt.Errorf("%s is in both %s and %s: an element may not provide a file another provides", p, prev.Dir, f.Dir)
			}
			seen[p] = f
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func skipFile(p string, d fs.DirEntry) bool {
	base := path.Base(p)
	return base == "flavour-deps" || base == "bootstrap-packages" || (!strings.Contains(p, "/") && strings.HasPrefix(base, "README"))
}

func copyFile(f *Flavour, p string, d fs.DirEntry, dst string, as ReadAs) error {
	if d.Type()&fs.ModeSymlink != 0 && f.onDisk {
		var target string
		err := as.do(func() (err error) {
			target, err = os.Readlink(filepath.Join(f.Dir, filepath.FromSlash(p)))
			return err
		})
		if err != nil {
			return err
		}
		os.Remove(dst)
		return os.Symlink(target, dst)
	}
	var data []byte
	err := as.do(func() (err error) {
		data, err = fs.ReadFile(f.fsys, p)
		return err
	})
	if err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if f.onDisk {
		info, err := fs.Stat(f.fsys, p)
		if err != nil {
			return err
		}
		mode = info.Mode().Perm()
	} else if (!f.DIB && isHookPath(p)) || bytes.HasPrefix(data, []byte("#!")) {
		mode = 0o755
	}
	os.Remove(dst)
	return os.WriteFile(dst, data, mode)
}

// isHookPath reports whether p lies directly in a phase directory.
func isHookPath(p string) bool {
	dir := path.Dir(p)
	for _, ph := range Phases {
		if dir == ph.Dir() {
			return true
		}
	}
	return false
}
