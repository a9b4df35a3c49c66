package bootstrap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/janitor"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/rootfs/chroot"
	"github.com/tripleo/diskimage-builder/sbom"
)

// upgrade makes the base at from, made from the archive state old, current
// with cur: it unpacks it, lets apt fetch the changed indices and upgrade
// what changed (the packages come from the package cache, or are
// downloaded into it), purges the kernels the upgrade replaced, and packs
// the tree again with cur's epoch. It returns the new tarball, in tmp, and
// the archive state it was made from.
func upgrade(ctx context.Context, o Options, from string, old, cur archive.State, tmp string, jan *janitor.Janitor, log io.Writer) (string, archive.State, error) {
	fail := func(err error) (string, archive.State, error) {
		return "", cur, fmt.Errorf("upgrade the cached %s/%s base: %w", o.Release, o.Arch, err)
	}
	fmt.Fprintf(log, "bootstrap: the archive changed since the cached base (%s, now %s)\n", old.Describe(), cur.Describe())
	scratch, err := makeScratch(o, tmp, jan)
	if err != nil {
		return fail(err)
	}
	defer scratch.remove()
	tree := filepath.Join(scratch.path, "tree")
	if err := Unpack(ctx, from, tree); err != nil {
		return fail(err)
	}
	before, err := sbom.ReadPackages(tree)
	if err != nil {
		return fail(err)
	}
	used, err := refresh(ctx, o, tree, tmp, cur.Epoch(), log, true)
	if err != nil {
		return fail(err)
	}
	if !madeFrom(cur, used) {
		// The archive moved while apt fetched it: the tree is of the
		// newer state, which is fetched again to say so.
		again, err := o.fetcher(tmp).Fetch(ctx, o.mustSources())
		if err != nil || !madeFrom(again, used) {
			return fail(errors.New("the archive moved while the base was upgraded; build again"))
		}
		cur = again
	}
	after, err := sbom.ReadPackages(tree)
	if err != nil {
		return fail(err)
	}
	if ch := changes(before, after); len(ch) > 0 {
		fmt.Fprintf(log, "bootstrap: upgraded: %s\n", strings.Join(ch, ", "))
	}
	if err := tidy(tree); err != nil {
		return fail(err)
	}
	out := filepath.Join(tmp, "base.tar.zst")
	if err := pack(ctx, tree, out, cur.Epoch(), log); err != nil {
		return fail(err)
	}
	return out, cur, nil
}

// mustSources are o's sources, known good once a build has fetched them.
func (o Options) mustSources() []archive.Source {
	srcs, _ := o.AptSources()
	return srcs
}

// refresh brings the tree's packages to the newest the archive offers, as
// the original's debian-minimal does on every build (apt-get update,
// dist-upgrade), saying first how many packages change when announce is
// set, and purges the kernels an upgrade replaced so that the base has
// one, as a fresh one does. It returns the SHA-256s of the InRelease files
// apt used.
func refresh(ctx context.Context, o Options, tree, tmp string, at time.Time, log io.Writer, announce bool) (map[string]bool, error) {
	archives := filepath.Join(tmp, "archives")
	cr, err := chroot.Prepare(tree, "", o.DebCache(), archives, os.Environ())
	if err != nil {
		return nil, err
	}
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
		"DEBIAN_FRONTEND=noninteractive", epoch.Env(at)}
	apt := []string{"apt-get", "-q", "-o", "Acquire::Retries=3"}
	res, err := nsrun.Run(ctx, cr.Job(env, nil, []nsrun.Step{
		{Label: "upgrade", Argv: append(slices.Clone(apt), "update")},
		{Label: "upgrade", Argv: append(slices.Clone(apt), "-s", "dist-upgrade"), Capture: true},
	}), log)
	if err == nil {
		n := 0
		for _, l := range strings.Split(res[len(res)-1].Stdout, "\n") {
			if strings.HasPrefix(l, "Inst ") {
				n++
			}
		}
		if announce {
			fmt.Fprintf(log, "bootstrap: archive changed: upgrading %d packages\n", n)
		}
		_, err = nsrun.Run(ctx, cr.Job(env, nil, []nsrun.Step{
			{Label: "upgrade", Argv: append(slices.Clone(apt), "-y", "dist-upgrade")},
			{Label: "upgrade", Argv: []string{"sh", "-c", purgeOldKernels}},
		}), log)
	}
	if rerr := cr.Restore(); err == nil {
		err = rerr
	}
	if err != nil {
		return nil, err
	}
	lists, err := inroot.HostPath(tree, "/var/lib/apt/lists")
	if err != nil {
		return nil, err
	}
	return inReleases(lists)
}

// purgeOldKernels purges every kernel image package but the newest
// version's: the metapackage moved to the new one, and a base made fresh
// has that one alone.
const purgeOldKernels = `command -v linux-version >/dev/null || exit 0
new=$(linux-version list | linux-version sort --reverse | head -n 1)
for v in $(linux-version list); do
	[ "$v" = "$new" ] && continue
	if dpkg-query -W -f='${Status}\n' "linux-image-$v" 2>/dev/null | grep -q ' installed$'; then
		apt-get -q -y purge "linux-image-$v"
	fi
done`

// changes lists what differs between two package lists: "NAME OLD → NEW",
// "NAME (new) VERSION" and "NAME (removed)", sorted by name.
func changes(before, after []sbom.Package) []string {
	was := map[string]string{}
	for _, p := range before {
		was[p.Name+":"+p.Arch] = p.Version
	}
	var out []string
	for _, p := range after {
		k := p.Name + ":" + p.Arch
		switch v, ok := was[k]; {
		case !ok:
			out = append(out, p.Name+" (new) "+p.Version)
		case v != p.Version:
			out = append(out, p.Name+" "+v+" → "+p.Version)
		}
		delete(was, k)
	}
	for k := range was {
		out = append(out, strings.TrimSuffix(k, ":"+archOf(k))+" (removed)")
	}
	slices.Sort(out)
	return out
}

// archOf is the architecture part of a "NAME:ARCH" key.
func archOf(k string) string { return k[strings.LastIndex(k, ":")+1:] }

// tidy removes what apt and dpkg wrote that depends on when and in what
// order they ran (logs, caches, backups), as mmdebstrap does for a fresh
// base.
func tidy(tree string) error {
	var errs []error
	for _, g := range []struct{ dir, pattern string }{
		{"/var/log/apt", "*.log"}, {"/var/log/apt", "eipp.log.xz"},
		{"/var/log", "dpkg.log"}, {"/var/log", "alternatives.log"},
		{"/var/cache/apt", "*.bin"}, {"/var/cache/ldconfig", "aux-cache"},
		{"/var/lib/dpkg", "*-old"}, {"/var/cache/debconf", "*-old"},
		{"/var/lib/apt/lists/partial", "*"}, {"/var/cache/apt/archives/partial", "*"},
	} {
		if _, err := inroot.RemoveMatching(tree, g.dir, g.pattern); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("tidy the base: %w", err))
		}
	}
	return errors.Join(errs...)
}

// pack writes tree as a zstd tarball at out, as mmdebstrap does: sorted,
// times clamped to at, owners numeric, extended attributes kept, /dev
// empty.
func pack(ctx context.Context, tree, out string, at time.Time, log io.Writer) error {
	argv := append([]string{"tar", "--zstd", "--force-local", "-cf", out, "-C", tree, "--numeric-owner", "--xattrs", "--xattrs-include=*",
		"--exclude=./dev/*"}, append(epoch.TarOptions(at), ".")...)
	env := append(withEpoch(os.Environ(), at), "ZSTD_NBTHREADS="+strconv.Itoa(runtime.NumCPU()))
	_, err := nsrun.Run(ctx, nsrun.Job{Steps: []nsrun.Step{{Label: "pack", Argv: argv}}, Env: env}, log)
	return err
}
