// Package inroot resolves paths inside a root directory the way the kernel
// would after chroot(root): an absolute symlink target starts again at the
// root, ".." never climbs above it, and every symlink passed on the way is
// reported, so that an archive built from the result holds the links and
// their targets. Nothing outside the root is ever looked at.
package inroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks bounds the symlinks followed in one resolution, as the kernel's
// MAXSYMLINKS does.
const maxLinks = 40

// File is a path inside a root. Link is the symlink's target as stored when
// the path is a symbolic link, and empty otherwise.
type File struct {
	Path string // absolute, cleaned, inside the root
	Link string // the symlink target, unchanged (relative or absolute)
}

// Resolve follows p (absolute inside root; a relative p is taken from the
// root) and returns the real path inside root, with no symlink left in it,
// and each symlink passed, in the order they were followed. A missing path
// is an error wrapping fs.ErrNotExist.
func Resolve(root, p string) (string, []File, error) {
	var links []File
	rest := split(p)
	cur := "/"
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		if c == ".." {
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		fi, err := os.Lstat(filepath.Join(root, next))
		if err != nil {
			return "", links, fmt.Errorf("resolve %s in root %s: %w", p, root, err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if len(rest) > 0 && !fi.IsDir() {
				return "", links, fmt.Errorf("resolve %s in root %s: %s: %w", p, root, next, syscall.ENOTDIR)
			}
			cur = next
			continue
		}
		if hops++; hops > maxLinks {
			return "", links, fmt.Errorf("resolve %s in root %s: %w", p, root, syscall.ELOOP)
		}
		target, err := os.Readlink(filepath.Join(root, next))
		if err != nil {
			return "", links, fmt.Errorf("resolve %s in root %s: %w", p, root, err)
		}
		links = append(links, File{Path: next, Link: target})
		if strings.HasPrefix(target, "/") {
			cur = "/"
		}
		rest = append(split(target), rest...)
	}
	return cur, links, nil
}

// Exists reports whether p resolves inside root. Errors other than a missing
// path are returned.
func Exists(root, p string) (bool, error) {
	_, _, err := Resolve(root, p)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
		return false, nil
	}
	return err == nil, err
}

// split returns the components of p, without empty and "." ones.
func split(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" && c != "." {
			out = append(out, c)
		}
	}
	return out
}

// HostPath returns the host path of p resolved inside root: Resolve joined
// to root. A missing path is an error wrapping fs.ErrNotExist.
func HostPath(root, p string) (string, error) {
	real, _, err := Resolve(root, p)
	if err != nil {
		return "", err
	}
	return filepath.Join(root, real), nil
}
