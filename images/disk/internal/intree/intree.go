// Package intree resolves and creates paths inside a root tree as if the
// tree were "/": symbolic links in the tree, absolute or relative, are
// followed inside it and never lead to the host's files. Code running as
// root that writes into a tree must use it, or an absolute link such as
// etc/fstab -> /etc/fstab would make it write the host's file.
package intree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// maxLinks bounds symbolic link resolution, as the kernel's ELOOP does.
const maxLinks = 40

// Resolve returns the host path of the absolute path p inside root,
// following symbolic links inside root. The file must exist; a missing one
// is an error that matches fs.ErrNotExist.
func Resolve(root, p string) (string, error) {
	todo := split(p)
	cur := "/"
	links := 0
	for len(todo) > 0 {
		name := todo[0]
		todo = todo[1:]
		switch name {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, name)
		host := filepath.Join(root, next)
		fi, err := os.Lstat(host)
		if err != nil {
			return "", fmt.Errorf("resolve %s in %s: %w", p, root, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("resolve %s in %s: too many symbolic links", p, root)
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", fmt.Errorf("resolve %s in %s: %w", p, root, err)
		}
		if strings.HasPrefix(target, "/") {
			cur = "/"
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return filepath.Join(root, cur), nil
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
		next, err := Resolve(root, path.Join(rel, name))
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

func split(p string) []string {
	return strings.Split(strings.TrimPrefix(path.Clean("/"+p), "/"), "/")
}
