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

// WriteTree copies every flavour's files into dir, merged in dependency
// order, as the hooks see them at $TMP_HOOKS_PATH: dir/install.d/NAME,
// dir/environment.d/NAME, and any data files the flavours carry.
// README files and flavour-deps are left out. The flavours' files are
// read with as's rights (nil: the process's own), see CheckReadable.
func (s *Set) WriteTree(dir string, as ReadAs) error {
	for _, f := range s.Flavours {
		err := fs.WalkDir(f.fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == "." {
				return nil
			}
			if skipFile(p, d) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
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
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode = info.Mode().Perm()
	} else if isHookPath(p) || bytes.HasPrefix(data, []byte("#!")) {
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
