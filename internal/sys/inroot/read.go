package inroot

import (
	"fmt"
	"io"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// ReadFile reads the regular file p inside root, at most max bytes (a
// larger file is an error); a symbolic link at p is never followed.
func ReadFile(root, p string, max int64) ([]byte, error) {
	var data []byte
	err := withParent(root, p, "read", false, func(dirFD int, name string) error {
		fd, err := unix.Openat(dirFD, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		f := os.NewFile(uintptr(fd), path.Join(root, p))
		defer f.Close()
		if fi, err := f.Stat(); err != nil {
			return err
		} else if !fi.Mode().IsRegular() {
			return fmt.Errorf("not a regular file")
		}
		data, err = io.ReadAll(io.LimitReader(f, max+1))
		if err == nil && int64(len(data)) > max {
			err = fmt.Errorf("larger than %d bytes", max)
		}
		return err
	})
	return data, err
}
