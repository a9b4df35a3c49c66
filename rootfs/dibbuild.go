package rootfs

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/elements"
	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/nsrun"
)

// sudoShim is the sudo that hooks outside the image find first in PATH:
// they already run as root (or as root of the build's user namespace,
// where the real sudo cannot work), so it runs the command, accepting the
// options elements pass and refusing a user other than root.
const sudoShim = `#!/bin/sh
# sudo for build hooks, written by diskimage-builder: hooks run as root.
while [ $# -gt 0 ]; do
	case $1 in
	-E|-H|-n|-S|-k|-A|-P|-b|--preserve-env|--preserve-env=*|--non-interactive|--set-home) shift ;;
	-u|--user) case ${2:-} in root|'#0') shift 2 ;; *) echo "sudo: hooks run as root; -u ${2:-} is not supported" >&2; exit 1 ;; esac ;;
	-i|-s|--login|--shell) echo "sudo: $1 is not supported in build hooks" >&2; exit 1 ;;
	--) shift; break ;;
	-*) echo "sudo: option $1 is not supported in build hooks" >&2; exit 1 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "sudo: no command given" >&2; exit 1; }
exec env -- "$@"
`

// envLoader sources environment.d files in bash: an element's ("dib:")
// as the original's dib-run-parts does (set -eu -o pipefail, only what
// it exports reaching the hooks), a flavour's ("sh:") with every
// assignment exported; then prints the environment for the hooks.
const envLoader = `set -o pipefail
cur=
trap 'rc=$?; [ $rc -eq 0 ] || echo "environment.d: sourcing $cur failed (exit status $rc)" >&2' EXIT
for a; do
	cur=${a#*:}
	case $a in
	dib:*) set -eu; source "$cur"; set +eu ;;
	*) set -a; . "$cur" || exit 1; set +a ;;
	esac
done
trap - EXIT
exec env -0
`

// prepareElements writes what a build with elements needs beside the
// merged hooks: the built-in elements' directories (element paths for
// hooks), the library they source as $_LIB, the elements'
// package-installs entries, and the sudo of hooks.
func (r *Root) prepareElements() error {
	bin := filepath.Join(r.Dir, "bin")
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return fmt.Errorf("prepare hooks: %w", err)
	}
	if err := os.WriteFile(filepath.Join(bin, "sudo"), []byte(sudoShim), 0o755); err != nil {
		return fmt.Errorf("prepare hooks: %w", err)
	}
	if !r.Plan.Flavours.DIB() {
		return nil
	}
	// Python hooks outside the image (#!/usr/bin/env python3) get the
	// host's python3 with PyYAML, as the original's ran in its virtualenv.
	if err := os.Symlink(hostPython, filepath.Join(bin, "python3")); err != nil {
		return fmt.Errorf("prepare hooks: %w", err)
	}
	dirs, err := elements.Dirs(r.Plan.Flavours, filepath.Join(r.Dir, "elements"))
	if err != nil {
		return err
	}
	r.elementDirs = dirs
	if err := elements.WriteLib(filepath.Join(r.Dir, "lib")); err != nil {
		return err
	}
	entries := r.Plan.PackageInstalls
	if entries == nil {
		entries = []elements.PackageEntry{}
	}
	data, err := json.Marshal(entries)
	if err != nil {
		return fmt.Errorf("package-installs: %w", err)
	}
	return os.WriteFile(filepath.Join(r.hooksDir, elements.SquashedFile), data, 0o644)
}

// envFiles are the environment.d files as a job sees them, and the
// loader that sources them.
func (r *Root) envFiles(hooksPath string) (files, loader []string) {
	set := r.Plan.Flavours
	for _, e := range set.EnvFiles() {
		p := filepath.Join(hooksPath, "environment.d", e.Name)
		if set.DIB() {
			kind := "sh:"
			if e.Flavour.DIB {
				kind = "dib:"
			}
			p = kind + p
		}
		files = append(files, p)
	}
	if set.DIB() && len(files) > 0 {
		loader = []string{"/bin/bash", "-c", envLoader, "environment.d"}
	}
	return files, loader
}

// hookRE is DIB's run-parts name rule.
var hookRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// phaseHooks are the hooks of p to run now: those resolved with the plan
// and, in a build with elements, those an earlier hook added to the
// merged tree (install-types links hooks of an install type into
// install.d), which DIB's run-parts would run too.
func (r *Root) phaseHooks(p flavours.Phase) []flavours.Hook {
	set := r.Plan.Flavours
	hooks := set.Hooks(p)
	if !set.DIB() {
		return hooks
	}
	known := map[string]bool{}
	for _, h := range hooks {
		known[h.Name] = true
	}
	dir := filepath.Join(r.hooksDir, p.Dir())
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if known[e.Name()] || !hookRE.MatchString(e.Name()) {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
			continue
		}
		hooks = append(hooks, flavours.Hook{Flavour: r.addedBy(dir, e.Name()), Phase: p, Name: e.Name()})
	}
	sort.SliceStable(hooks, func(i, j int) bool { return flavours.HookLess(hooks[i].Name, hooks[j].Name, true) })
	return hooks
}

// addedBy names the element a hook added during the build came from: the
// owner of the directory its link points into.
func (r *Root) addedBy(dir, name string) *flavours.Flavour {
	if target, err := os.Readlink(filepath.Join(dir, name)); err == nil && !filepath.IsAbs(target) {
		sub := strings.SplitN(filepath.ToSlash(target), "/", 2)[0]
		phase := filepath.Base(dir)
		for _, f := range r.Plan.Flavours.Flavours {
			if fi, err := os.Stat(filepath.Join(r.elementDirs[f.Name], phase, sub)); err == nil && fi.IsDir() {
				return f
			}
		}
	}
	return &flavours.Flavour{Name: "hooks", DIB: true}
}

// elementBlockDevice runs the elements' block-device.d hooks where the
// original ran them, after post-root.d. The original let such a hook make
// the disk itself and print IMAGE_BLOCK_DEVICE=...: that needs loop
// devices and mounts, and is refused.
func (r *Root) elementBlockDevice(ctx context.Context) error {
	hooks := r.Plan.Flavours.ElementHooks(flavours.BlockDevice)
	if len(hooks) == 0 {
		return nil
	}
	r.logf("==> block-device.d (elements): %d hook(s)", len(hooks))
	results, err := r.runHooks(ctx, flavours.BlockDevice, hooks, nil)
	for _, res := range results {
		for _, line := range strings.Split(res.Stdout, "\n") {
			if strings.Contains(line, "IMAGE_BLOCK_DEVICE=") {
				return fmt.Errorf("%s printed %q: an element that makes the disk itself needs loop devices and mounts, which this builder never uses; the vm flavour writes the disk", res.Label, strings.TrimSpace(line))
			}
		}
	}
	return err
}

// dibFinalise empties /tmp of the image and the logs of the build, as the
// original does after cleanup.d, inside the image root.
func (r *Root) dibFinalise(ctx context.Context) error {
	if !r.Plan.Flavours.DIB() {
		return nil
	}
	script := `find /tmp -mindepth 1 -maxdepth 1 ! -path ` + "/tmp/in_target.d" + ` -exec rm -rf {} + ;
find /var/log -type f -exec truncate -s 0 {} + ; find /root -name '*.log' -type f -delete`
	env := r.hookEnv(true, "/", "/tmp/in_target.d")
	_, err := nsrun.Run(ctx, r.chroot.Job(env, nil, []nsrun.Step{{Label: "finalise-base", Argv: []string{"/bin/sh", "-c", script}}}), r.log)
	return err
}
