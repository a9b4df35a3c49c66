package flavours

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
)

// FileSum is one file of a flavour: its path in the flavour, its mode and
// the SHA-256 of its content.
type FileSum struct {
	Path   string
	Mode   fs.FileMode
	SHA256 string // hex
}

// String is the file as one "PATH MODE SHA256" line.
func (s FileSum) String() string { return fmt.Sprintf("%s %v %s", s.Path, s.Mode, s.SHA256) }

// Sums lists every file of the flavour, in lexical order of path, with its
// mode and hash.
func (f *Flavour) Sums() ([]FileSum, error) {
	var sums []FileSum
	err := fs.WalkDir(f.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(f.FS(), p)
		if err != nil {
			return fmt.Errorf("read %s/%s: %w", f.Dir, p, err)
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("stat %s/%s: %w", f.Dir, p, err)
		}
		sum := sha256.Sum256(data)
		sums = append(sums, FileSum{Path: p, Mode: info.Mode(), SHA256: hex.EncodeToString(sum[:])})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("files of flavour %s: %w", f.Name, err)
	}
	return sums, nil
}

// Digest is the flavour's content as one value: the SHA-256, in hex, of
// its Sums as lines ("PATH MODE SHA256\n" each, in order). Two copies of a
// flavour with the same files, modes and contents have the same digest,
// wherever they are found.
func (f *Flavour) Digest() (string, error) {
	sums, err := f.Sums()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, s := range sums {
		fmt.Fprintln(h, s.String())
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
