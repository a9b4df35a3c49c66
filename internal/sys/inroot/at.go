package inroot

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// The functions below change a root from outside it through descriptors:
// every directory on the way is opened with openat2(RESOLVE_IN_ROOT), so
// the kernel resolves each symbolic link inside the root (an absolute one
// starts again at the root, ".." stops there), and the last name is then
// created, replaced or removed relative to its directory, never followed.
// A link a package or hook left in the tree cannot send a write, a removal
// or a mount point out of it, even if it changes while the build looks.

// resolveFlags are the resolution rules of every open below.
const resolveFlags = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// relative is p as a path relative to the root: "." for the root itself.
func relative(p string) string {
	rel := strings.TrimLeft(path.Clean("/"+p), "/")
	if rel == "" {
		return "."
	}
	return rel
}

// at opens p inside the root open at rootFD with flags (O_CLOEXEC added).
func at(rootFD int, p string, flags uint64, mode uint32) (int, error) {
	for {
		fd, err := unix.Openat2(rootFD, relative(p), &unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Mode: uint64(mode), Resolve: resolveFlags})
		if err != unix.EAGAIN && err != unix.EINTR {
			return fd, err
		}
	}
}

// openRoot opens root for the lookups below.
func openRoot(root string) (int, error) {
	fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open root %s: %w", root, err)
	}
	return fd, nil
}

// parentAt opens the directory that holds p inside the root, making the
// missing directories with perm when mkdir is set, and returns it with the
// last name of p.
func parentAt(rootFD int, p string, mkdir bool, perm fs.FileMode) (int, string, error) {
	return parentDepth(rootFD, p, mkdir, perm, 0)
}

func parentDepth(rootFD int, p string, mkdir bool, perm fs.FileMode, links int) (int, string, error) {
	clean := path.Clean("/" + p)
	if clean == "/" {
		return -1, "", fmt.Errorf("%s names the root itself", p)
	}
	dir, name := path.Split(clean)
	fd, err := dirAt(rootFD, dir, mkdir, perm, links)
	return fd, name, err
}

// dirAt opens the directory dir inside the root, making it and its missing
// parents with perm when mkdir is set; a link on the way that points
// nowhere has what it points at made, inside the root. links counts the
// links followed so far, to stop a loop as the kernel does.
func dirAt(rootFD int, dir string, mkdir bool, perm fs.FileMode, links int) (int, error) {
	fd, err := at(rootFD, dir, unix.O_PATH|unix.O_DIRECTORY, 0)
	if err == nil || !mkdir || !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	parent, name, err := parentDepth(rootFD, dir, true, perm, links)
	if err != nil {
		return -1, err
	}
	err = unix.Mkdirat(parent, name, uint32(perm.Perm()))
	if errors.Is(err, unix.EEXIST) {
		target, lerr := readlinkAt(parent, name)
		if lerr == nil {
			if links >= maxLinks {
				unix.Close(parent)
				return -1, unix.ELOOP
			}
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(path.Clean("/"+dir)), target)
			}
			var tfd int
			if tfd, err = dirAt(rootFD, target, true, perm, links+1); err == nil {
				unix.Close(tfd)
			}
		} else {
			err = nil // made meanwhile
		}
	}
	unix.Close(parent)
	if err != nil {
		return -1, err
	}
	return at(rootFD, dir, unix.O_PATH|unix.O_DIRECTORY, 0)
}

// readlinkAt reads the symbolic link name in directory dirFD.
func readlinkAt(dirFD int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirFD, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// withParent runs fn on the directory holding p inside root and p's last
// name, wrapping its error with op.
func withParent(root, p, op string, mkdir bool, fn func(dirFD int, name string) error) error {
	rootFD, err := openRoot(root)
	if err != nil {
		return fmt.Errorf("%s %s: %w", op, p, err)
	}
	defer unix.Close(rootFD)
	dirFD, name, err := parentAt(rootFD, p, mkdir, 0o755)
	if err == nil {
		err = fn(dirFD, name)
		unix.Close(dirFD)
	}
	if err != nil {
		return fmt.Errorf("%s %s in %s: %w", op, p, root, err)
	}
	return nil
}

// Create opens the file p inside root for writing with flags (os.O_TRUNC,
// os.O_EXCL...; O_WRONLY and O_CREAT are added), making its parents (mode
// 0755); a symbolic link at p is never followed: it is replaced by the
// file unless flags has O_EXCL, which refuses it.
func Create(root, p string, flags int, perm fs.FileMode) (*os.File, error) {
	var f *os.File
	err := withParent(root, p, "create", true, func(dirFD int, name string) error {
		flags := flags | unix.O_WRONLY | unix.O_CREAT | unix.O_NOFOLLOW | unix.O_CLOEXEC
		fd, err := unix.Openat(dirFD, name, flags, uint32(perm.Perm()))
		if errors.Is(err, unix.ELOOP) && flags&unix.O_EXCL == 0 {
			if err = unix.Unlinkat(dirFD, name, 0); err == nil {
				fd, err = unix.Openat(dirFD, name, flags, uint32(perm.Perm()))
			}
		}
		if err != nil {
			return err
		}
		f = os.NewFile(uintptr(fd), path.Join(root, p))
		return nil
	})
	return f, err
}

// WriteFile writes data to the file p inside root with mode perm, making
// its parent directories (mode 0755). A symbolic link at p is replaced by
// the file, never followed.
func WriteFile(root, p string, data []byte, perm fs.FileMode) error {
	f, err := Create(root, p, os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", p, root, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s in %s: %w", p, root, err)
	}
	return nil
}

// MkdirAll makes the directory p inside root and its missing parents with
// mode perm, following existing symbolic links inside root, and returns its
// host path.
func MkdirAll(root, p string, perm fs.FileMode) (string, error) {
	rootFD, err := openRoot(root)
	if err != nil {
		return "", err
	}
	defer unix.Close(rootFD)
	fd, err := dirAt(rootFD, p, true, perm, 0)
	if err != nil {
		return "", fmt.Errorf("make directory %s in %s: %w", p, root, err)
	}
	defer unix.Close(fd)
	host, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", fd))
	if err != nil {
		return "", fmt.Errorf("make directory %s in %s: %w", p, root, err)
	}
	return host, nil
}
