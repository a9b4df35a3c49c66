package bootstrap

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// A cache entry is trusted only when nobody but the user building (or
// root) could have written it: the entry, its seal, its archive state and
// the directories holding them are owned by the process's user or root and
// writable by no one else. A seal beside the entry proves nothing when
// someone else may write both.

// Untrusted says why the cache entry at entry (CACHE/base/NAME or
// CACHE/roots/NAME) could have been written by someone else, or returns nil
// when it could not. A missing file is not its business (see Sealed).
func Untrusted(entry string) error {
	// The entry's files (a link among them is refused: its mode says
	// nothing), its directory (base/, roots/) and the cache's, where a link
	// to a directory is judged by the directory it leads to.
	files := []string{entry, sumPath(entry), statePath(entry)}
	paths := append(files, filepath.Dir(entry), filepath.Dir(filepath.Dir(entry)))
	uid := uint32(os.Geteuid())
	for i, p := range paths {
		var st unix.Stat_t
		stat := unix.Lstat
		if i >= len(files) {
			stat = unix.Stat
		}
		if err := stat(p, &st); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return fmt.Errorf("%s: %w", p, err)
		}
		if st.Uid != uid && st.Uid != 0 {
			return fmt.Errorf("%s belongs to user %d", p, st.Uid)
		}
		sticky := st.Mode&unix.S_IFMT == unix.S_IFDIR && st.Mode&unix.S_ISVTX != 0
		if st.Mode&0o022 != 0 && !sticky {
			return fmt.Errorf("%s is writable by others (mode %04o)", p, st.Mode&0o7777)
		}
	}
	return nil
}

// EnsureCacheDir makes the cache directory dir, 0700 when it is new, so
// that other users read no cached base, root or package of this one.
func EnsureCacheDir(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("cache %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("cache %s: %w", dir, err)
	}
	return nil
}
