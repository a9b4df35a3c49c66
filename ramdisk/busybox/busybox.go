// Package busybox lists the applets of a busybox binary, by running it, and
// adds their links to an initramfs archive, where a real program at the
// same path wins over the applet.
package busybox

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/treeexec"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

// Applets runs the busybox at bin (a path inside root, "/" for the host)
// with --list-full and returns the applet paths, absolute and sorted
// ("/bin/sh", "/sbin/ifconfig", ...). A dynamically linked busybox of a
// target root runs with that root's own loader and libraries, so a root
// newer than the host works; it must be of the host's architecture.
func Applets(ctx context.Context, root, bin string) ([]string, error) {
	argv, err := command(root, bin)
	if err != nil {
		return nil, err
	}
	out, err := run.Run(ctx, run.Cmd{Argv: append(argv, "--list-full")})
	if err != nil {
		return nil, fmt.Errorf("list applets of %s in %s: %w", bin, root, err)
	}
	var applets []string
	for _, line := range strings.Split(out, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			applets = append(applets, path.Clean("/"+line))
		}
	}
	if len(applets) == 0 {
		return nil, fmt.Errorf("list applets of %s in %s: no applets listed", bin, root)
	}
	sort.Strings(applets)
	return applets, nil
}

// AddLinks adds to a a weak symlink to target (the archive path of the
// busybox binary, such as "/usr/bin/busybox") at each applet path, so a
// real program added at the same path, before or after, wins.
func AddLinks(a *initramfs.Archive, target string, applets []string) error {
	for _, p := range applets {
		if path.Clean(p) == path.Clean(target) {
			continue
		}
		r := initramfs.Record{Kind: initramfs.Symlink, Target: target, Mode: 0o777, Weak: true}
		if err := a.Add(p, r); err != nil {
			return fmt.Errorf("add busybox applet: %w", err)
		}
	}
	return nil
}

// command returns the argv that runs bin of root on this host (see
// treeexec.Command).
func command(root, bin string) ([]string, error) {
	real, _, err := inroot.Resolve(root, bin)
	if err != nil {
		return nil, fmt.Errorf("find busybox: %w", err)
	}
	return treeexec.Command(root, real)
}
