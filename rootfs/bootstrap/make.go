package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"golang.org/x/sys/unix"
)

// Ensure returns the path of the cached base tarball for o, current with
// the archive: it fetches the suites' InRelease files and takes the cached
// base when they list the package indices it was made from; when they
// list others it upgrades the cached base and caches the result; when no
// base is cached it makes one. With o.Offline the cached base is taken as
// it is. Concurrent calls for the same base wait for each other; only a
// complete tarball is ever returned. Progress goes to log. Its temporary
// directories are owned (workdir.Owned, so that Sweep finds them once
// their maker is dead) and registered with jan, which may be nil, before
// they are used.
func Ensure(ctx context.Context, o Options, jan *janitor.Janitor, log io.Writer) (_ string, err error) {
	if o.Offline {
		return offline(o, log)
	}
	srcs, err := o.AptSources()
	if err != nil {
		return "", err
	}
	if err := EnsureCacheDir(o.CacheDir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(o.baseDir(), 0o755); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	owned, err := workdir.Make(o.baseDir(), tmpPrefix+o.Key()+"-*")
	if err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	jan.Add(owned.Path)
	defer func() { err = errors.Join(err, owned.Remove()); jan.Forget(owned.Path) }()
	tmp := owned.Path
	fetcher := o.fetcher(tmp)
	cur, err := o.fetchState(ctx, fetcher, srcs)
	if err != nil {
		return "", err
	}
	if p, ok := o.current(cur, log); ok {
		return p, nil
	}
	unlock, err := lock(ctx, filepath.Join(o.baseDir(), o.Key()+".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if p, ok := o.current(cur, log); ok {
		return p, nil // made by another build while we waited
	}
	start := time.Now()
	prev := o.Path()
	if old, err := archive.Read(statePath(prev)); err == nil && Sealed(prev) && Untrusted(prev) == nil {
		out, state, err := upgrade(ctx, o, prev, old, cur, tmp, jan, log)
		if err != nil {
			return "", err
		}
		final, err := place(o, out, state)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(log, "bootstrap: base upgraded in %.1fs (cached as %s)\n", time.Since(start).Seconds(), final)
		return final, nil
	}
	fmt.Fprintf(log, "bootstrap: making the %s/%s base from %s (cached in %s)\n", o.Release, o.Arch, o.Mirror, o.baseDir())
	out := filepath.Join(tmp, "base.tar.zst")
	state, err := makeStamped(ctx, o, srcs, fetcher, cur, tmp, out, jan, log)
	if err != nil {
		return "", err
	}
	final, err := place(o, out, state)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(log, "bootstrap: base made in %.1fs\n", time.Since(start).Seconds())
	return final, nil
}

// current returns the cached base when it was made from the package
// indices cur lists, saying so in log.
func (o Options) current(cur archive.State, log io.Writer) (string, bool) {
	p := o.Path()
	if !Sealed(p) {
		return "", false
	}
	if err := Untrusted(p); err != nil {
		fmt.Fprintf(log, "bootstrap: the cached base is not taken: %v; it is made again\n", err)
		return "", false
	}
	old, err := archive.Read(statePath(p))
	if err != nil || !old.SameIndices(cur) {
		return "", false
	}
	fmt.Fprintf(log, "bootstrap: archive unchanged since the cached base (%s)\n", old.Describe())
	return p, true
}

// offline returns the cached base as it is, saying how old its archive
// state is.
func offline(o Options, log io.Writer) (string, error) {
	p := o.Path()
	if !Sealed(p) {
		return "", fmt.Errorf("offline: no %s/%s base of these settings is cached in %s; build once without --offline", o.Release, o.Arch, o.baseDir())
	}
	if err := Untrusted(p); err != nil {
		return "", fmt.Errorf("offline: the cached base cannot be taken: %w; build once without --offline", err)
	}
	if st, err := archive.Read(statePath(p)); err == nil {
		age := time.Since(st.Epoch()).Round(time.Minute)
		fmt.Fprintf(log, "bootstrap: offline: the archive was not asked; the cached base's archive state is %s old (%s)\n", age, st.Describe())
	} else {
		fmt.Fprintf(log, "bootstrap: offline: the archive was not asked; the cached base records no archive state\n")
	}
	return p, nil
}

// fetcher fetches the archive state of o's sources, with its keyring
// written into tmp.
func (o Options) fetcher(tmp string) archive.Fetcher {
	f := archive.Fetcher{Arch: o.Arch, TmpDir: tmp, ReadAs: o.ReadAs}
	if len(o.Keyring) > 0 {
		f.Keyrings = [][]byte{o.Keyring}
	}
	return f
}

// makeStamped makes the base tarball at out with the newest Date of the
// suites' InRelease files in cur as its SOURCE_DATE_EPOCH, and returns the
// archive state it was made from. When the archive moved while the base
// was made, so that apt used other InRelease files than cur's, it is made
// again from the new state, once.
func makeStamped(ctx context.Context, o Options, srcs []archive.Source, f archive.Fetcher, cur archive.State, tmp, out string, jan *janitor.Janitor, log io.Writer) (archive.State, error) {
	for attempt := 1; ; attempt++ {
		epoch := cur.Epoch()
		fmt.Fprintf(log, "bootstrap: SOURCE_DATE_EPOCH=%d, the newest date of the archive's suites (%s)\n", epoch.Unix(), cur.Describe())
		var used map[string]bool
		var err error
		if _, lookErr := exec.LookPath("mmdebstrap"); lookErr == nil {
			used, err = mmdebstrap(ctx, o, srcs, tmp, out, epoch, jan, log)
		} else {
			used, err = debootstrap(ctx, o, srcs, tmp, out, epoch, log)
		}
		if err != nil {
			return cur, err
		}
		if madeFrom(cur, used) {
			return cur, nil
		}
		if attempt == 2 {
			return cur, fmt.Errorf("bootstrap %s/%s from %s: the archive moved while the base was made, twice", o.Release, o.Arch, o.Mirror)
		}
		if cur, err = f.Fetch(ctx, srcs); err != nil {
			return cur, fmt.Errorf("base %s/%s: %w", o.Release, o.Arch, err)
		}
		fmt.Fprintf(log, "bootstrap: the archive moved while the base was made (%s); making it again\n", cur.Describe())
	}
}

// madeFrom reports whether every InRelease of st is among used, the
// SHA-256s of those apt fetched for the base.
func madeFrom(st archive.State, used map[string]bool) bool {
	for _, s := range st.Suites {
		if !used[s.InRelease] {
			return false
		}
	}
	return true
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
