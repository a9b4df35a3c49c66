package workdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// staleUnowned is how old an empty directory without an owner file must be
// before Dead removes it: one whose maker died between making it and
// linking its owner file in.
const staleUnowned = time.Hour

// Dead returns the directories in parent whose names start with prefix
// and whose owner is gone (see Owned), each now owned by the caller, who
// removes it (Owned.Remove). A directory is only ever taken when it is
// this user's, not a symbolic link, writable by no one else, and its
// owner file is a regular file of this user whose lock is free: a
// directory another user made in a shared parent (/tmp) is never touched,
// nor one whose owner lives. A missing parent has none.
func Dead(parent, prefix string) ([]*Owned, error) {
	entries, err := os.ReadDir(parent)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for dead builds in %s: %w", parent, err)
	}
	var dead []*Owned
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if o := takeIfDead(dir); o != nil {
			dead = append(dead, o)
		}
	}
	return dead, nil
}

// takeIfDead takes the ownership of dir if it is an owned directory whose
// owner is gone, and returns it; else nil.
func takeIfDead(dir string) *Owned {
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR ||
		int(st.Uid) != os.Geteuid() || st.Mode&0o022 != 0 {
		return nil
	}
	fd, err := unix.Open(filepath.Join(dir, OwnerFile), unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if errors.Is(err, unix.ENOENT) {
		if time.Since(time.Unix(st.Mtim.Unix())) > staleUnowned {
			os.Remove(dir) // rmdir: only an empty one goes
		}
		return nil
	}
	if err != nil {
		return nil
	}
	fh := os.NewFile(uintptr(fd), filepath.Join(dir, OwnerFile))
	var fst unix.Stat_t
	if unix.Fstat(fd, &fst) != nil || fst.Mode&unix.S_IFMT != unix.S_IFREG || int(fst.Uid) != os.Geteuid() ||
		unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) != nil {
		fh.Close()
		return nil
	}
	return &Owned{Path: dir, lock: fh}
}

// Alive reports whether path is an owned directory whose owner lives.
func Alive(path string) bool {
	fh, err := os.OpenFile(filepath.Join(path, OwnerFile), os.O_RDWR|unix.O_NOFOLLOW, 0)
	if err != nil {
		return false
	}
	defer fh.Close()
	return errors.Is(unix.Flock(int(fh.Fd()), unix.LOCK_SH|unix.LOCK_NB), unix.EWOULDBLOCK)
}
