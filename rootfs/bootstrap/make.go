package bootstrap

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/rootfs/debcache"
	"golang.org/x/sys/unix"
)

// Ensure returns the path of the cached base tarball for o, making it first
// when the cache has none. Concurrent calls for the same base wait for each
// other; only a complete tarball is ever returned. Progress goes to log.
// Its temporary directories are owned (workdir.Owned, so that Sweep finds
// them once their maker is dead) and registered with jan, which may be
// nil, before they are used.
func Ensure(ctx context.Context, o Options, jan *janitor.Janitor, log io.Writer) (_ string, err error) {
	final := o.Path()
	if Sealed(final) {
		return final, nil
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	unlock, err := lock(ctx, final+".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if Sealed(final) {
		return final, nil // made by another build while we waited
	}
	// Not sealed, or not the size it was sealed at: a crash or a full disk
	// cut it short. It is made again.
	if err := Discard(final); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	owned, err := workdir.Make(filepath.Dir(final), tmpPrefix+o.Key()+"-*")
	if err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	jan.Add(owned.Path)
	defer func() { err = errors.Join(err, owned.Remove()); jan.Forget(owned.Path) }()
	tmp := owned.Path
	start := time.Now()
	fmt.Fprintf(log, "bootstrap: making the %s/%s base from %s (cached as %s)\n", o.Release, o.Arch, o.Mirror, final)
	out := filepath.Join(tmp, "base.tar.zst")
	if _, lookErr := exec.LookPath("mmdebstrap"); lookErr == nil {
		err = mmdebstrap(ctx, o, tmp, out, jan, log)
	} else {
		err = debootstrap(ctx, o, tmp, out, log)
	}
	if err != nil {
		return "", err
	}
	if err := os.Rename(out, final); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := Seal(final); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	fmt.Fprintf(log, "bootstrap: base made in %.1fs\n", time.Since(start).Seconds())
	return final, nil
}

// mmdebstrap makes the tarball at out. The package cache is linked into
// the root's apt archive rather than copied, what is downloaded is added to
// it after, and the commands package scripts would repeat run once, at the
// end (see hooks.go). tmp is a directory on the cache's filesystem.
func mmdebstrap(ctx context.Context, o Options, tmp, out string, jan *janitor.Janitor, log io.Writer) (err error) {
	debs := o.DebCache()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return fmt.Errorf("package cache: %w", err)
	}
	hooks, err := writeHooks(tmp, debs)
	if err != nil {
		return err
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
		return err
	}
	defer func() { err = errors.Join(err, scratch.remove()) }()
	env := append(os.Environ(), "ZSTD_NBTHREADS="+strconv.Itoa(runtime.NumCPU()), "TMPDIR="+scratch.path)
	job := nsrun.Job{Steps: []nsrun.Step{{Label: "bootstrap", Argv: argv}}, Env: append(env, hooks.env...)}
	_, err = nsrun.Run(ctx, job, log)
	// Packages downloaded before a failure are kept too.
	if keepErr := debcache.Keep(hooks.archives, debs); keepErr != nil && err == nil {
		err = keepErr
	}
	if err != nil {
		return fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	return nil
}

// identityScript removes the build host's name and resolver, which
// debootstrap copies into the root as mmdebstrap does (see
// hooks/customize-identity).
const identityScript = `echo localhost > "$1/etc/hostname"; [ -L "$1/etc/resolv.conf" ] || rm -f "$1/etc/resolv.conf"`

// debootstrap is the fallback when mmdebstrap is missing: bootstrap into a
// directory, then pack it.
func debootstrap(ctx context.Context, o Options, tmp, out string, log io.Writer) error {
	tree := filepath.Join(tmp, "tree")
	debs := o.DebCache()
	if err := os.MkdirAll(debs, 0o755); err != nil {
		return fmt.Errorf("package cache: %w", err)
	}
	steps := []nsrun.Step{
		{Label: "bootstrap", Argv: []string{"debootstrap", "--variant=minbase", "--arch=" + o.Arch, "--components=" + o.components(),
			"--cache-dir=" + debs, "--include=" + strings.Join(o.packages(), ","), o.Release, tree, o.Mirror}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", `rm -f "$1"/var/cache/apt/archives/*.deb`, "clean", tree}},
		{Label: "bootstrap", Argv: []string{"sh", "-c", identityScript, "identity", tree}},
		{Label: "pack", Argv: []string{"tar", "--zstd", "--force-local", "-cf", out, "-C", tree, "--numeric-owner", "--xattrs",
			"--xattrs-include=*", "--exclude=./dev/*", "."}},
	}
	if _, err := nsrun.Run(ctx, nsrun.Job{Steps: steps}, log); err != nil {
		return fmt.Errorf("bootstrap %s/%s from %s: %w", o.Release, o.Arch, o.Mirror, err)
	}
	return nil
}

// Unpack extracts a base tarball into dir, keeping owners, modes and
// extended attributes, and makes /dev if the tarball has none (a base has
// no device nodes: see mmdebstrap). A sealed tarball (see Seal) is checked
// as it is read: one whose bytes no longer match its seal is removed from
// the cache and reported, so that the next build makes it again.
func Unpack(ctx context.Context, tarball, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("unpack base: %w", err)
	}
	fh, err := os.Open(tarball)
	if err != nil {
		return fmt.Errorf("unpack base: %w", err)
	}
	defer fh.Close()
	var in io.Reader = fh
	var v *verifier
	if want, err := readSeal(tarball); err == nil {
		v = &verifier{r: fh, want: want, h: sha256.New()}
		in = v
	}
	_, err = run.Run(ctx, run.Cmd{Stdin: in, Argv: []string{"tar", "--zstd", "-xpf", "-", "-C", dir,
		"--numeric-owner", "--xattrs", "--xattrs-include=*"}})
	if v != nil {
		if _, derr := io.Copy(io.Discard, v); derr == nil && !v.check() {
			return fmt.Errorf("cached %s is corrupt (its bytes do not match its seal): %w", tarball,
				errors.Join(errCorrupt, Discard(tarball)))
		}
	}
	if err != nil {
		return fmt.Errorf("unpack base %s: %w", tarball, err)
	}
	if _, err := inroot.MkdirAll(dir, "/dev", 0o755); err != nil {
		return fmt.Errorf("unpack base %s: %w", tarball, err)
	}
	return nil
}

// errCorrupt is how a corrupt cache entry is reported.
var errCorrupt = errors.New("removed from the cache; the next build makes it again")

// lock takes an exclusive flock on path, waiting until ctx ends.
func lock(ctx context.Context, path string) (func(), error) {
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("base cache lock: %w", err)
	}
	for {
		err := unix.Flock(int(fh.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { unix.Flock(int(fh.Fd()), unix.LOCK_UN); fh.Close() }, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) {
			fh.Close()
			return nil, fmt.Errorf("base cache lock %s: %w", path, err)
		}
		select {
		case <-ctx.Done():
			fh.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}
