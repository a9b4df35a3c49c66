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
	epoch, err := makeStamped(ctx, o, tmp, out, jan, log)
	if err != nil {
		return "", err
	}
	if err := os.Rename(out, final); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	if err := Seal(final, epoch); err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	fmt.Fprintf(log, "bootstrap: base made in %.1fs\n", time.Since(start).Seconds())
	return final, nil
}

// makeStamped makes the base tarball at out with the Date of the mirror's
// release file as its SOURCE_DATE_EPOCH (see release.go), and returns it.
// When the mirror published a new release while the base was made, so that
// the base holds a newer one than the epoch it was stamped with, it is made
// again with the new epoch, once.
func makeStamped(ctx context.Context, o Options, tmp, out string, jan *janitor.Janitor, log io.Writer) (time.Time, error) {
	epoch, err := ReleaseEpoch(ctx, o.Mirror, o.Release)
	if err != nil {
		return time.Time{}, fmt.Errorf("bootstrap %s/%s: %w", o.Release, o.Arch, err)
	}
	for attempt := 1; ; attempt++ {
		fmt.Fprintf(log, "bootstrap: SOURCE_DATE_EPOCH=%d, the date of the mirror's %s release file\n", epoch.Unix(), o.Release)
		var made time.Time
		if _, lookErr := exec.LookPath("mmdebstrap"); lookErr == nil {
			made, err = mmdebstrap(ctx, o, tmp, out, epoch, jan, log)
		} else {
			made, err = debootstrap(ctx, o, tmp, out, epoch, log)
		}
		if err != nil || made.Equal(epoch) {
			return epoch, err
		}
		if attempt == 2 {
			return time.Time{}, fmt.Errorf("bootstrap %s/%s from %s: the mirror published new releases while the base was made, twice", o.Release, o.Arch, o.Mirror)
		}
		fmt.Fprintf(log, "bootstrap: the mirror published a new release (%s) while the base was made; making it again\n", made.Format(time.RFC3339))
		epoch = made
	}
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
