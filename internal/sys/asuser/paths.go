package asuser

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Resolve returns the real path of p as u sees it: its symbolic links
// followed with u's rights, so that no link leads u where u may not go.
// A nil u resolves as root.
func (u *User) Resolve(p string) (string, error) {
	var real string
	err := u.Do(func() error {
		abs, err := filepath.Abs(p)
		if err == nil {
			real, err = filepath.EvalSymlinks(abs)
		}
		return err
	})
	return real, err
}

// ErrAlterable is wrapped by the errors of WorkDir that find a directory
// the user could change.
var ErrAlterable = errors.New("the caller can change it")

// WorkDir checks dir, a directory where root works for u (the build's tmp
// dir, the image cache), and returns its real path. u must not be able to
// change anything root makes there: every directory on its real path
// belongs to root, and each one u may write into is sticky (as /tmp and
// /dev/shm are), so that u cannot rename root's entries. With shared, dir
// is one u works in too (the tmp dir): it must exist and u must be able to
// write into it. Without (the cache), root alone writes it: u must not be
// able to write into it, and when it does not exist yet, into the
// directory it is made in.
func (u *User) WorkDir(dir string, shared bool) (string, error) {
	if u == nil {
		return dir, nil
	}
	real, err := u.Resolve(dir)
	missing := ""
	for !shared && errors.Is(err, os.ErrNotExist) && filepath.Dir(dir) != dir {
		// The cache is made by root later: the nearest existing directory
		// is checked in its place.
		missing = filepath.Join(filepath.Base(dir), missing)
		dir = filepath.Dir(dir)
		real, err = u.Resolve(dir)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, unwrapPath(err))
	}
	if shared {
		if err := u.CanWrite(real); err != nil {
			return "", fmt.Errorf("%s is not writable: %w", dir, unwrapPath(err))
		}
	}
	for _, p := range ancestry(real) {
		if err := u.rootControlled(p, p != real || shared); err != nil {
			return "", fmt.Errorf("%s: %w", dir, err)
		}
	}
	return filepath.Join(real, missing), nil
}

// ancestry is "/" and every directory from there down to the clean
// absolute path p, p last.
func ancestry(p string) []string {
	out := []string{"/"}
	for i := 1; i < len(p); i++ {
		if p[i] == '/' {
			out = append(out, p[:i])
		}
	}
	if p != "/" {
		out = append(out, p)
	}
	return out
}

// rootControlled checks that u cannot rename or replace what root makes in
// the directory p: p belongs to root, and u cannot write into it, or (when
// stickyOK) it is sticky.
func (u *User) rootControlled(p string, stickyOK bool) error {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("%s is not a directory", p)
	}
	if st.Uid != 0 {
		return fmt.Errorf("%s belongs to uid %d, not root: %w", p, st.Uid, ErrAlterable)
	}
	if u.CanWrite(p) != nil || stickyOK && st.Mode&unix.S_ISVTX != 0 {
		return nil
	}
	return fmt.Errorf("%s is writable by %s: %w", p, u, ErrAlterable)
}

// unwrapPath drops the "lstat PATH: " of a *PathError, whose path the
// caller names already.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
