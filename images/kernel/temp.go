package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// temp is an output being written. It is made without a name in its
// destination's directory (O_TMPFILE), so that a get-kernel killed while
// copying leaves nothing there: the kernel frees the file with its last
// descriptor. Where the filesystem has no unnamed files, it falls back to
// a temporary name beside the destination.
type temp struct {
	f    *os.File
	dest string
	name string // the temporary name of a named file; "" while unnamed
	done bool
}

func newTemp(dest string) (*temp, error) {
	dir := filepath.Dir(dest)
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_WRONLY|unix.O_CLOEXEC, 0o600)
	if err == nil {
		return &temp{f: os.NewFile(uintptr(fd), dest+" (unnamed)"), dest: dest}, nil
	}
	if !errors.Is(err, unix.EOPNOTSUPP) && !errors.Is(err, unix.EISDIR) && !errors.Is(err, unix.EINVAL) {
		return nil, fmt.Errorf("create output %s: %w", dest, &fs.PathError{Op: "open", Path: dir, Err: err})
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("create output %s: %w", dest, err)
	}
	return &temp{f: f, dest: dest, name: f.Name()}, nil
}

// fill copies name (the image's kernel or initrd, as what says) from
// fsys into the file, mode 0644, synced.
func (t *temp) fill(fsys fs.FS, name, what string) error {
	if err := copyOut(t.f, fsys, name, what, MaxFileSize); err != nil {
		return err
	}
	if err := t.f.Chmod(0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", t.f.Name(), err)
	}
	if err := t.f.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", t.f.Name(), err)
	}
	return nil
}

// commit gives the file its name: an unnamed file is linked in under a
// temporary name, then renamed over dest as a named one is.
func (t *temp) commit() error {
	if t.name == "" {
		name, err := t.link()
		if err != nil {
			return err
		}
		t.name = name
	}
	if err := t.f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", t.dest, err)
	}
	if err := os.Rename(t.name, t.dest); err != nil {
		return errors.Join(fmt.Errorf("rename %s to %s: %w", t.name, t.dest, err), os.Remove(t.name))
	}
	t.done = true
	return nil
}

// link links the unnamed file into its directory under a temporary name
// it returns, through /proc/self/fd (which needs no privilege).
func (t *temp) link() (string, error) {
	proc := "/proc/self/fd/" + strconv.Itoa(int(t.f.Fd()))
	for try := 0; ; try++ {
		name := filepath.Join(filepath.Dir(t.dest), fmt.Sprintf(".%s.tmp-%d-%d", filepath.Base(t.dest), os.Getpid(), try))
		err := unix.Linkat(unix.AT_FDCWD, proc, unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, unix.EEXIST) || try == 100 {
			return "", fmt.Errorf("name output %s: %w", t.dest, &fs.PathError{Op: "link", Path: name, Err: err})
		}
	}
}

// cleanup closes the file unless it was committed, removing it if it had
// a name already.
func (t *temp) cleanup() {
	if t.done {
		return
	}
	t.f.Close()
	if t.name != "" {
		os.Remove(t.name)
	}
}
