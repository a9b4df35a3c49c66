package workdir

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// OwnerFile is the file inside an owned directory whose lock its owner
// holds.
const OwnerFile = ".owner"

// Owned is a temporary directory a live process owns: the process holds
// an exclusive flock on the directory's OwnerFile for as long as the Owned
// is open, and the kernel releases it when the process dies, however it
// dies (SIGKILL, a cgroup-wide kill, the OOM killer). Dead finds the
// directories whose owner is gone, so that a later build removes what a
// dead one left and never a live one's.
type Owned struct {
	Path string // the directory
	lock *os.File
}

// Make makes a new directory (mode 0700) in parent, named pattern with its
// last "*" replaced by a random string (or pattern itself when it has no
// "*"), and owns it. The owner file appears already locked: it is made
// unnamed (O_TMPFILE), locked, then linked in.
func Make(parent, pattern string) (*Owned, error) {
	for try := 0; ; try++ {
		name := pattern
		if i := strings.LastIndex(pattern, "*"); i >= 0 {
			name = pattern[:i] + randomName() + pattern[i+1:]
		}
		dir := filepath.Join(parent, name)
		err := os.Mkdir(dir, 0o700)
		if errors.Is(err, os.ErrExist) && name != pattern && try < 100 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("make %s: %w", dir, err)
		}
		lock, err := lockedOwnerFile(dir)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("own %s: %w", dir, err), os.Remove(dir))
		}
		return &Owned{Path: dir, lock: lock}, nil
	}
}

// lockedOwnerFile makes dir/OwnerFile, locked before it has a name where
// the file system can (so no one ever sees it unlocked while its owner
// lives), else made then locked.
func lockedOwnerFile(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		// No O_TMPFILE here: the file is unlocked for a moment. A sweeper
		// that takes it then makes this Make fail; it never removes a
		// directory whose owner holds the lock.
		fh, err := os.OpenFile(filepath.Join(dir, OwnerFile), os.O_CREATE|os.O_EXCL|os.O_RDWR|unix.O_NOFOLLOW, 0o600)
		if err != nil {
			return nil, err
		}
		if err := unix.Flock(int(fh.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			fh.Close()
			return nil, err
		}
		return fh, nil
	}
	fh := os.NewFile(uintptr(fd), filepath.Join(dir, OwnerFile))
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		fh.Close()
		return nil, err
	}
	if err := unix.Linkat(fd, "", unix.AT_FDCWD, fh.Name(), unix.AT_EMPTY_PATH); err != nil {
		// AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH; the /proc link does not.
		if err = unix.Linkat(unix.AT_FDCWD, fmt.Sprintf("/proc/self/fd/%d", fd), unix.AT_FDCWD, fh.Name(), unix.AT_SYMLINK_FOLLOW); err != nil {
			fh.Close()
			return nil, err
		}
	}
	return fh, nil
}

func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Keep gives the directory up without removing it: its owner file goes,
// so that no later build ever takes it for a dead build's (a build
// directory kept for debugging).
func (o *Owned) Keep() error {
	err := os.Remove(filepath.Join(o.Path, OwnerFile))
	o.Release()
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("keep %s: %w", o.Path, err)
	}
	return nil
}

// Remove removes the directory (see Remove) and gives up its ownership.
func (o *Owned) Remove() error {
	err := Remove(o.Path)
	o.Release()
	return err
}

// Release gives up the ownership, leaving the directory as it is: a later
// Dead call finds it dead.
func (o *Owned) Release() {
	if o != nil && o.lock != nil {
		o.lock.Close()
		o.lock = nil
	}
}
