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

// CheckDir checks, without writing anything, that outputs named name.EXT
// can be written: the directory of name exists and is writable, and name
// itself is not a directory.
func CheckDir(name string) error {
	dir := filepath.Dir(name)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("output directory %s does not exist", dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("output directory %s is not a directory", dir)
	}
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return fmt.Errorf("output directory %s is not writable: %w", dir, err)
	}
	if fi, err := os.Stat(name); err == nil && fi.IsDir() {
		return fmt.Errorf("output name %s is a directory", name)
	}
	return nil
}
