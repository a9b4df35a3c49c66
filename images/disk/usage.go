package disk

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Usage is what a tree takes in an ext4 filesystem with 4 KiB blocks.
type Usage struct {
	Bytes  int64 // data blocks of files, directories and long symbolic links
	Inodes int64 // distinct inodes
}

// Add returns the sum of u and o.
func (u Usage) Add(o Usage) Usage {
	return Usage{Bytes: u.Bytes + o.Bytes, Inodes: u.Inodes + o.Inodes}
}

// fastSymlinkMax is the longest symbolic link target ext4 keeps in the
// inode itself, taking no data block.
const fastSymlinkMax = 59

// Measure walks dir and returns its Usage. Hard links count once. It does
// not cross into other filesystems: a mount point below dir is an error,
// since mkfs.ext4 -d would copy the mounted filesystem into the image.
func Measure(dir string) (Usage, error) {
	var u Usage
	rootInfo, err := os.Lstat(dir)
	if err != nil {
		return u, fmt.Errorf("measure tree %s: %w", dir, err)
	}
	rootDev := rootInfo.Sys().(*syscall.Stat_t).Dev
	type inode struct{ dev, ino uint64 }
	seen := map[inode]bool{}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		if st.Dev != rootDev {
			return fmt.Errorf("%s is on another filesystem (a mount point?)", p)
		}
		if st.Nlink > 1 && !fi.IsDir() {
			k := inode{uint64(st.Dev), st.Ino}
			if seen[k] {
				return nil
			}
			seen[k] = true
		}
		u.Inodes++
		switch {
		case fi.Mode().IsRegular():
			u.Bytes += roundUp(fi.Size(), blockSize)
		case fi.IsDir():
			u.Bytes += max(roundUp(fi.Size(), blockSize), blockSize)
		case fi.Mode()&fs.ModeSymlink != 0 && fi.Size() > fastSymlinkMax:
			u.Bytes += blockSize
		}
		return nil
	})
	if err != nil {
		return Usage{}, fmt.Errorf("measure tree %s: %w", dir, err)
	}
	return u, nil
}
