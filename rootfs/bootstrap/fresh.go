package bootstrap

import (
	"context"
	"fmt"

	"github.com/tripleo/diskimage-builder/internal/sys/workdir"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
)

// fetchState is the archive's state now, as Ensure and Stale ask for it;
// its error says that --offline would not ask.
func (o Options) fetchState(ctx context.Context, f archive.Fetcher, srcs []archive.Source) (archive.State, error) {
	st, err := f.Fetch(ctx, srcs)
	if err != nil {
		return st, fmt.Errorf("base %s/%s: %w (--offline builds from the cached base without asking)", o.Release, o.Arch, err)
	}
	return st, nil
}

// Stale says, in a few words, why the cached base of o is behind the
// archive: the archive's suites list other package indices than those it
// was made from. It is "" when they list the same, when no base is cached
// (nothing to compare) and with o.Offline. It asks the archive as Ensure
// does and changes nothing in the cache.
func Stale(ctx context.Context, o Options) (string, error) {
	p := o.Path()
	if o.Offline || !Sealed(p) {
		return "", nil
	}
	old, err := archive.Read(statePath(p))
	if err != nil {
		return "the cached base records no archive state", nil
	}
	srcs, err := o.AptSources()
	if err != nil {
		return "", err
	}
	owned, err := workdir.Make(o.baseDir(), tmpPrefix+o.Key()+"-*")
	if err != nil {
		return "", fmt.Errorf("base cache: %w", err)
	}
	defer owned.Remove()
	cur, err := o.fetchState(ctx, o.fetcher(owned.Path), srcs)
	if err != nil {
		return "", err
	}
	if !old.SameIndices(cur) {
		return fmt.Sprintf("the archive changed since the cached base (%s, now %s)", old.Describe(), cur.Describe()), nil
	}
	return "", nil
}
