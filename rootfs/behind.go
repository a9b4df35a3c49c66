package rootfs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/sbom"
)

// maxLists bounds what is read of the package indices in a tree's apt
// lists (trixie's main for one architecture is about 70 MB).
const maxLists = 1 << 30

// checkBehind names, once, the packages of the tree that are older than
// the newest version its apt lists offer: a hook held or pinned them (the
// base itself is current with the archive). It is a note in the log, not
// an error; a tree without lists says nothing.
func (r *Root) checkBehind(ctx context.Context) error {
	behind, err := Behind(r.Tree)
	if err != nil {
		r.logf("archive: could not compare the packages with the archive: %v", err)
		return nil
	}
	if len(behind) > 0 {
		r.logf("archive: %d packages are behind the archive (held or pinned by a hook): %s", len(behind), strings.Join(behind, ", "))
	}
	return nil
}

// Behind lists the installed packages of tree that its apt lists offer in
// a newer version: "NAME VERSION (archive: NEWER)", in the order of dpkg's
// database.
func Behind(tree string) ([]string, error) {
	lists, err := inroot.HostPath(tree, "/var/lib/apt/lists")
	if err != nil {
		return nil, err
	}
	files, _ := filepath.Glob(filepath.Join(lists, "*_Packages"))
	newest := map[string]string{}
	var read int64
	for _, f := range files {
		fi, err := os.Lstat(f)
		if err != nil || !fi.Mode().IsRegular() {
			continue // a link in the tree is not followed
		}
		if read += fi.Size(); read > maxLists {
			return nil, errors.New("the apt lists are larger than they can be")
		}
		fh, err := os.Open(f)
		if err != nil {
			return nil, err
		}
		err = archive.Newest(io.LimitReader(fh, fi.Size()), newest)
		fh.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
	}
	if len(newest) == 0 {
		return nil, nil
	}
	pkgs, err := sbom.ReadPackages(tree)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range pkgs {
		v, ok := newest[p.Name+":"+p.Arch]
		if !ok {
			v, ok = newest[p.Name+":all"]
		}
		if ok && debversion.Compare(v, p.Version) > 0 {
			out = append(out, fmt.Sprintf("%s %s (archive: %s)", p.Name, p.Version, v))
		}
	}
	return out, nil
}
