package bootstrap

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
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
func mmdebstrap(ctx context.Context, o Options, srcs []archive.Source, tmp, out string, at time.Time, jan *janitor.Janitor, log io.Writer) (_ map[string]bool, err error) {
	debs := o.DebCache()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return nil, fmt.Errorf("package cache: %w", err)
	}
	hooks, err := writeHooks(tmp, o, srcs)
	if err != nil {
		return nil, err
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
	argv = append(argv, "--customize-hook=rm -f \"$1\"/etc/dpkg/dpkg.cfg.d/99mmdebstrap", "--", o.Release, out)
	for _, s := range srcs {
		argv = append(argv, s.Line())
	}
	scratch, err := makeScratch(o, tmp, jan)
	if err != nil {
		return nil, err
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
		return nil, fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	return inReleases(hooks.release)
}

// inReleases are the SHA-256s of the InRelease files in dir, the copies
// of those apt fetched for a base.
func inReleases(dir string) (map[string]bool, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*_InRelease"))
	if len(files) == 0 {
		return nil, fmt.Errorf("bootstrap: no InRelease file in the base's apt lists")
	}
	used := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("bootstrap: the release files of the base: %w", err)
		}
		sum := sha256.Sum256(data)
		used[hex.EncodeToString(sum[:])] = true
	}
	return used, nil
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

// debootstrap is the fallback when mmdebstrap is missing: bootstrap the
// release into a directory with SOURCE_DATE_EPOCH at, put the image's
// sources (and keyring) in, bring it up to date from every suite as the
// original does (see refresh), then pack it as mmdebstrap does (sorted,
// times clamped).
func debootstrap(ctx context.Context, o Options, srcs []archive.Source, tmp, out string, at time.Time, log io.Writer) (map[string]bool, error) {
	tree := filepath.Join(tmp, "tree")
	debs := o.DebCache()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return nil, fmt.Errorf("package cache: %w", err)
	}
	steps := []nsrun.Step{
		{Label: "bootstrap", Argv: []string{"debootstrap", "--variant=minbase", "--arch=" + o.Arch, "--components=" + o.components(),
			"--cache-dir=" + debs, "--include=" + strings.Join(o.packages(), ","), o.Release, tree, o.Mirror}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", `rm -f "$1"/var/cache/apt/archives/*.deb`, "clean", tree}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", identityScript, "identity", tree}},
	}
	if _, err := nsrun.Run(ctx, nsrun.Job{Steps: steps, Env: withEpoch(os.Environ(), at)}, log); err != nil {
		return nil, fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	if err := writeSources(tree, o, srcs); err != nil {
		return nil, err
	}
	used, err := refresh(ctx, o, tree, tmp, at, log, false)
	if err == nil {
		err = tidy(tree)
	}
	if err == nil {
		err = pack(ctx, tree, out, at, log)
	}
	if err != nil {
		return nil, fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	return used, nil
}

// writeSources puts the image's apt sources and o's keyring into tree in
// place of the sources.list debootstrap wrote (see hooks/customize-sources
// for mmdebstrap's).
func writeSources(tree string, o Options, srcs []archive.Source) error {
	signedBy := archive.DebianKeyring
	if ok, _ := inroot.Lexists(tree, signedBy); !ok || len(o.Keyring) > 0 {
		signedBy = ""
	}
	errs := []error{inroot.Remove(tree, "/etc/apt/sources.list")}
	for rel, content := range archive.ImageFiles(srcs, signedBy) {
		errs = append(errs, inroot.WriteFile(tree, rel, []byte(content), 0o644))
	}
	if len(o.Keyring) > 0 {
		errs = append(errs, inroot.WriteFile(tree, "/etc/apt/trusted.gpg.d/"+keyringName(o.Keyring), o.Keyring, 0o644))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("bootstrap: the image's apt sources: %w", err)
	}
	return nil
}
