// Package workdir makes and removes build directories safely: before a
// directory is removed, the mount table is checked so that nothing mounted
// below it is ever deleted through, and mount points are removed with rmdir.
package workdir

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MountsBelow returns the mount points at or below dir, as this process
// sees them in /proc/self/mountinfo.
func MountsBelow(dir string) ([]string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	fh, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read mount table: %w", err)
	}
	defer fh.Close()
	var found []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		mp := unescape(f[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			found = append(found, mp)
		}
	}
	return found, sc.Err()
}

// unescape decodes the octal escapes of mountinfo (\040 for a space).
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v int
			if _, err := fmt.Sscanf(s[i+1:i+4], "%3o", &v); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Remove deletes dir and everything below it, after checking that nothing is
// mounted there. It refuses, naming the mounts, when something is. In a
// process that is not root, what the user may not remove (the files of an
// unprivileged build owned by subordinate IDs, directories without write
// permission) is removed as root of the user's namespace (see
// RemoveAsNamespaceRoot).
func Remove(dir string) error {
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		return nil
	}
	mounts, err := MountsBelow(dir)
	if err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	if len(mounts) > 0 {
		return fmt.Errorf("remove %s: refusing, still mounted below it: %s", dir, strings.Join(mounts, ", "))
	}
	err = os.RemoveAll(dir)
	if err != nil && errors.Is(err, fs.ErrPermission) && os.Geteuid() != 0 {
		return RemoveAsNamespaceRoot(dir)
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", dir, err)
	}
	return nil
}
