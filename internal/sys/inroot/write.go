package inroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// HostPath returns the host path of p resolved inside root: Resolve joined
// to root. A missing path is an error wrapping fs.ErrNotExist.
func HostPath(root, p string) (string, error) {
	real, _, err := Resolve(root, p)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, real), nil
}

// MkdirAll makes the directory p inside root and its missing parents with
// mode perm, following existing symbolic links inside root, and returns its
// host path.
func MkdirAll(root, p string, perm fs.FileMode) (string, error) {
	cur := filepath.Clean(root)
	for _, name := range split(p) {
		if name == "" || name == "." {
			continue
		}
		rel := "/" + strings.TrimPrefix(strings.TrimPrefix(cur, filepath.Clean(root)), "/")
		next, err := HostPath(root, path.Join(rel, name))
		if errors.Is(err, fs.ErrNotExist) {
			next = filepath.Join(cur, name)
			if err := os.Mkdir(next, perm); err != nil {
				return "", fmt.Errorf("make directory %s in %s: %w", p, root, err)
			}
		} else if err != nil {
			return "", err
		}
		cur = next
	}
	return cur, nil
}

// WriteFile writes data to the file p inside root with mode perm, making
// its parent directories (mode 0755). A symbolic link at p is replaced by
// the file, never followed.
func WriteFile(root, p string, data []byte, perm fs.FileMode) error {
	dir, err := MkdirAll(root, path.Dir(path.Clean("/"+p)), 0o755)
	if err != nil {
		return err
	}
	host := filepath.Join(dir, path.Base(p))
	if fi, err := os.Lstat(host); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		if err := os.Remove(host); err != nil {
			return fmt.Errorf("write %s in %s: replace symbolic link: %w", p, root, err)
		}
	}
	if err := os.WriteFile(host, data, perm); err != nil {
		return fmt.Errorf("write %s in %s: %w", p, root, err)
	}
	if err := os.Chmod(host, perm); err != nil {
		return fmt.Errorf("write %s in %s: %w", p, root, err)
	}
	return nil
}
