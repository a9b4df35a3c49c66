package rootfs

import (
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// buildDirPrefix starts the names of build directories.
const buildDirPrefix = "dib-build-"

// sweep removes what dead builds left where this build works (see
// janitor.Sweep): build directories in the tmp dir with the temporary
// outputs their journals list, the cache's temporary directories and
// bootstrap scratch directories. Only directories whose owner process is
// gone are touched. What it cannot remove is reported, not fatal.
func (r *Root) sweep() {
	s := r.Plan.Spec
	removed, err := janitor.Sweep(s.TmpDir, buildDirPrefix)
	roots, rerr := janitor.Sweep(filepath.Join(s.CacheDir, "roots"), cacheTmpPrefix)
	base, berr := bootstrap.Sweep(r.Plan.Base())
	for _, p := range append(append(removed, roots...), base...) {
		r.logf("swept what a dead build left: %s", p)
	}
	for _, e := range []error{err, rerr, berr} {
		if e != nil {
			r.logf("sweep: %v", e)
		}
	}
}
