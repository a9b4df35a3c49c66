package outputs

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/internal/sys/asuser"
)

// ChecksumKinds are the checksum files a build can write beside an output,
// as NAME.KIND.
var ChecksumKinds = []string{"sha256", "md5"}

// WriteChecksum writes "SUM  NAME\n" of file into dst, as sha256sum and
// md5sum print it; kind is one of ChecksumKinds.
func WriteChecksum(file, name, kind, dst string) error {
	var h hash.Hash
	switch kind {
	case "sha256":
		h = sha256.New()
	case "md5":
		h = md5.New()
	default:
		return errors.New("unknown checksum " + kind)
	}
	fh, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("checksum %s: %w", name, err)
	}
	defer fh.Close()
	if _, err := io.Copy(h, fh); err != nil {
		return fmt.Errorf("checksum %s: %w", name, err)
	}
	return os.WriteFile(dst, []byte(hex.EncodeToString(h.Sum(nil))+"  "+name+"\n"), 0o644)
}

// Check checks, without writing anything, that outputs named name.EXT
// can be written with u's rights (nil: the process's own): the directory
// of name exists and u may write into it, and name itself is not a
// directory. With u, each of finals (the outputs' paths) must also be none
// of: a symbolic link (which u may have planted to have root replace what
// it points at), a directory, an entry of another user in a sticky
// directory.
func Check(u *asuser.User, name string, finals ...string) error {
	return u.Do(func() error {
		dir := filepath.Dir(name)
		fi, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("output directory %s does not exist", dir)
		}
		if !fi.IsDir() {
			return fmt.Errorf("output directory %s is not a directory", dir)
		}
		if err := unix.Faccessat2(unix.AT_FDCWD, dir, unix.W_OK|unix.X_OK, unix.AT_EACCESS); err != nil {
			return fmt.Errorf("output directory %s is not writable%s: %w", dir, by(u), err)
		}
		if fi, err := os.Stat(name); err == nil && fi.IsDir() {
			return fmt.Errorf("output name %s is a directory", name)
		}
		if u == nil {
			return nil
		}
		var dst unix.Stat_t
		if err := unix.Stat(dir, &dst); err != nil {
			return fmt.Errorf("output directory %s: %w", dir, err)
		}
		for _, f := range finals {
			var st unix.Stat_t
			if err := unix.Lstat(f, &st); err != nil {
				continue
			}
			switch {
			case st.Mode&unix.S_IFMT == unix.S_IFLNK:
				return fmt.Errorf("output %s is a symbolic link: refused (a build through sudo follows none of its caller's links)", f)
			case st.Mode&unix.S_IFMT == unix.S_IFDIR:
				return fmt.Errorf("output %s is a directory", f)
			case dst.Mode&unix.S_ISVTX != 0 && int(st.Uid) != u.UID && int(dst.Uid) != u.UID:
				return fmt.Errorf("output %s belongs to another user, in a sticky directory", f)
			}
		}
		return nil
	})
}

// CheckDir is Check with the process's own rights.
func CheckDir(name string) error { return Check(nil, name) }

// by names u in a message, when there is one.
func by(u *asuser.User) string {
	if u == nil {
		return ""
	}
	return " by " + u.String()
}
