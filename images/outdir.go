package images

import (
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// checkOutputDir checks that the directory of name exists and is writable,
// without writing anything.
func checkOutputDir(name string) error {
	dir := filepath.Dir(name)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("output directory %s does not exist", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("output directory %s is not a directory", dir)
	}
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return fmt.Errorf("output directory %s is not writable: %v", dir, err)
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return fmt.Errorf("output name %s is a directory", name)
	}
	return nil
}

// checkFreeSpace refuses a disk size larger than the free space of the
// directories the raw disk and its outputs are written to.
func checkFreeSpace(size int64, dirs ...string) error {
	if size <= 0 {
		return nil
	}
	for _, d := range dirs {
		var st unix.Statfs_t
		if err := unix.Statfs(d, &st); err != nil {
			continue // a missing TmpDir is made later; the output dir was checked
		}
		free := int64(st.Bavail) * int64(st.Bsize)
		if size > free {
			return fmt.Errorf("image size %.1f GB is larger than the free space (%.1f GB) in %s", gb(size), gb(free), d)
		}
	}
	return nil
}

func gb(n int64) float64 { return float64(n) / (1 << 30) }
