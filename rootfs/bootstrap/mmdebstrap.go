package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
	"github.com/tripleo/diskimage-builder/rootfs/debcache"
)

// mmdebstrap makes the tarball at out with SOURCE_DATE_EPOCH at, which
// makes it reproducible (mmdebstrap clamps and sorts the tarball, drops
// its logs and caches, and package scripts stamp that time), and returns
// the Date of the release file the base was made from. The package cache
// is linked into the root's apt archive rather than copied, what is
// downloaded is added to it after, and the commands package scripts would
// repeat run once, at the end (see hooks.go). tmp is a directory on the
// cache's filesystem; the scratch directory is made by makeScratch.
func mmdebstrap(ctx context.Context, o Options, tmp, out string, at time.Time, jan *janitor.Janitor, log io.Writer) (_ time.Time, err error) {
	debs := o.DebCache()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return time.Time{}, fmt.Errorf("package cache: %w", err)
	}
	hooks, err := writeHooks(tmp, debs, o.Release)
	if err != nil {
		return time.Time{}, err
	}
	argv := []string{"mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar",
		"--architectures=" + o.Arch, "--components=" + o.components(),
		"--include=" + strings.Join(o.packages(), ","),
		"--aptopt=Acquire::Retries \"3\"",
		"--dpkgopt=force-unsafe-io",
		"--skip=download/empty", "--skip=essential/unlink", "--skip=cleanup/apt/lists",
		// No device nodes in the base (Unpack makes an empty /dev): a
		// user namespace cannot make them, and images built as root and
		// unprivileged are the same. The kernel's devtmpfs fills /dev.
		"--skip=output/dev",
	}
	argv = append(argv, hooks.args()...)
	argv = append(argv, "--customize-hook=rm -f \"$1\"/etc/dpkg/dpkg.cfg.d/99mmdebstrap", "--", o.Release, out, o.Mirror)
	scratch, err := makeScratch(o, tmp, jan)
	if err != nil {
		return time.Time{}, err
	}
	defer func() { err = errors.Join(err, scratch.remove()) }()
	env := append(withEpoch(os.Environ(), at), "ZSTD_NBTHREADS="+strconv.Itoa(runtime.NumCPU()), "TMPDIR="+scratch.path)
	job := nsrun.Job{Steps: []nsrun.Step{{Label: "bootstrap", Argv: argv}}, Env: append(env, hooks.env...)}
	_, err = nsrun.Run(ctx, job, log)
	// Packages downloaded before a failure are kept too.
	if keepErr := debcache.Keep(hooks.archives, debs); keepErr != nil && err == nil {
		err = keepErr
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	return madeFrom(hooks.release)
}

// madeFrom is the Date of the release file at p, the copy of the one a
// bootstrap used.
func madeFrom(p string) (time.Time, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return time.Time{}, fmt.Errorf("bootstrap: the release file of the base: %w", err)
	}
	t, err := ReleaseDate(data)
	if err != nil {
		return time.Time{}, fmt.Errorf("bootstrap: the release file of the base: %w", err)
	}
	return t, nil
}

// withEpoch is env with SOURCE_DATE_EPOCH at, in place of the caller's: a
// base is stamped with its own release's date, whatever a build asks for.
func withEpoch(env []string, at time.Time) []string {
	out := make([]string, 0, len(env)+1)
	for _, kv := range env {
		if !strings.HasPrefix(kv, epoch.Var+"=") {
			out = append(out, kv)
		}
	}
	return append(out, epoch.Env(at))
}

// identityScript removes the build host's name and resolver, which
// debootstrap copies into the root as mmdebstrap does (see
// hooks/customize-identity).
const identityScript = `echo localhost > "$1/etc/hostname"; [ -L "$1/etc/resolv.conf" ] || rm -f "$1/etc/resolv.conf"`

// debootstrap is the fallback when mmdebstrap is missing: bootstrap into a
// directory with SOURCE_DATE_EPOCH at, then pack it as mmdebstrap does
// (sorted, times clamped). The release file is read from the tree.
func debootstrap(ctx context.Context, o Options, tmp, out string, at time.Time, log io.Writer) (time.Time, error) {
	tree := filepath.Join(tmp, "tree")
	debs := o.DebCache()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return time.Time{}, fmt.Errorf("package cache: %w", err)
	}
	release := filepath.Join(tmp, "release")
	steps := []nsrun.Step{
		{Label: "bootstrap", Argv: []string{"debootstrap", "--variant=minbase", "--arch=" + o.Arch, "--components=" + o.components(),
			"--cache-dir=" + debs, "--include=" + strings.Join(o.packages(), ","), o.Release, tree, o.Mirror}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", `rm -f "$1"/var/cache/apt/archives/*.deb`, "clean", tree}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", identityScript, "identity", tree}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", copyReleaseScript, "release", tree, o.Release, release}},
		{Label: "pack", Argv: append([]string{"tar", "--zstd", "--force-local", "-cf", out, "-C", tree, "--numeric-owner", "--xattrs", "--xattrs-include=*",
			"--exclude=./dev/*"}, append(epoch.TarOptions(at), ".")...)},
	}
	if _, err := nsrun.Run(ctx, nsrun.Job{Steps: steps, Env: withEpoch(os.Environ(), at)}, log); err != nil {
		return time.Time{}, fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	return madeFrom(release)
}

// copyReleaseScript copies the release file of release $2 from the root
// $1's apt lists to $3 (see hooks/customize-release).
const copyReleaseScript = `for f in "$1"/var/lib/apt/lists/*_dists_"$2"_InRelease "$1"/var/lib/apt/lists/*_dists_"$2"_Release; do
	if [ -f "$f" ]; then cp "$f" "$3"; exit 0; fi
done
echo "no release file of $2 in the base" >&2; exit 1`
