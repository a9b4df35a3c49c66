package sbom

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// dpkgInfo holds dpkg's file lists, PACKAGE.list or PACKAGE:ARCH.list.
const dpkgInfo = "/var/lib/dpkg/info"

// maxListBytes bounds what is read of all the file lists together.
const maxListBytes = 1 << 30

// mergedUsr are the top-level directories that a merged-/usr root links
// into /usr; a path through them and the same path under /usr are one
// file.
var mergedUsr = []string{"bin", "sbin", "lib", "lib32", "lib64", "libx32"}

// Owners knows which package installed each file of a root tree.
type Owners struct {
	byPath  map[string]string // canonical path -> package name
	aliases map[string]string // "bin" -> "usr/bin", for the tree's top-level links
}

// ReadOwners reads dpkg's file lists of the root tree. A tree without a
// dpkg database owns nothing.
func ReadOwners(tree string) (*Owners, error) {
	o := &Owners{byPath: map[string]string{}, aliases: map[string]string{}}
	for _, d := range mergedUsr {
		if target, err := os.Readlink(filepath.Join(tree, d)); err == nil {
			if t := strings.Trim(path.Clean("/"+target), "/"); strings.HasPrefix(t, "usr/") {
				o.aliases[d] = t
			}
		}
	}
	dir, err := inroot.HostPath(tree, dpkgInfo)
	if errors.Is(err, fs.ErrNotExist) {
		return o, nil
	} else if err != nil {
		return nil, fmt.Errorf("read package file lists of %s: %w", tree, err)
	}
	lists, err := filepath.Glob(filepath.Join(dir, "*.list"))
	if err != nil {
		return nil, fmt.Errorf("read package file lists of %s: %w", tree, err)
	}
	budget := int64(maxListBytes)
	for _, l := range lists {
		pkg, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(l), ".list"), ":")
		if err := o.readList(l, pkg, &budget); err != nil {
			return nil, fmt.Errorf("read package file lists of %s: %w", tree, err)
		}
	}
	return o, nil
}

// readList records the files of one package's list, counting what it
// reads against budget.
func (o *Owners) readList(p, pkg string, budget *int64) error {
	fh, err := os.Open(p)
	if err != nil {
		return err
	}
	defer fh.Close()
	sc := bufio.NewScanner(io.LimitReader(fh, *budget+1))
	sc.Buffer(make([]byte, 64<<10), maxLine)
	for sc.Scan() {
		if *budget -= int64(len(sc.Bytes()) + 1); *budget < 0 {
			return errors.New("the file lists are larger than they can be")
		}
		o.byPath[o.canon(sc.Text())] = pkg
	}
	return sc.Err()
}

// Of returns the package that installed the file at p (a path inside the
// tree), or "".
func (o *Owners) Of(p string) string { return o.byPath[o.canon(p)] }

// canon is p cleaned, with a leading merged-/usr link replaced by its
// target: /lib/x and /usr/lib/x are one file.
func (o *Owners) canon(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	first, rest, _ := strings.Cut(p, "/")
	if t, ok := o.aliases[first]; ok {
		p = path.Join(t, rest)
	}
	return "/" + p
}
