package rootfs

import (
	"errors"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// buildDirPrefix starts the names of build directories, as the
// original's: elements parse the part of TMP_MOUNT_PATH after the dot
// (source-repositories names its manifest with it).
const buildDirPrefix = "dib_build."

// sweep removes what dead builds left in the cache (see janitor.Sweep):
// the root cache's temporary directories and the base's temporary and
// scratch directories. Only directories whose owner process is gone are
// touched. What it cannot remove is reported, not fatal. The tmp dir is
// swept by NewWorkspace.
func (r *Root) sweep() {
	roots, rerr := janitor.Sweep(filepath.Join(r.Plan.Spec.CacheDir, "roots"), cacheTmpPrefix)
	base, berr := bootstrap.Sweep(r.Plan.Base())
	logSwept(r.log, append(roots, base...), errors.Join(rerr, berr))
}
