// Package modules picks the kernel modules a ramdisk needs from a module
// root (a directory holding lib/modules/KVER, such as a Debian root or a
// dpkg -x of a linux-image package): the wanted modules by name or by
// directory under kernel/, and everything they depend on per modules.dep,
// dependencies first, with the modules.* metadata files that modprobe reads.
// Compressed modules (.ko.xz, .ko.zst, .ko.gz) are taken as they are.
package modules

import (
	"errors"
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// ErrNotFound is wrapped by the error for a wanted module that is neither a
// module file nor built into the kernel.
var ErrNotFound = errors.New("module not found")

// MetadataFiles are the files of lib/modules/KVER that modprobe, depmod and
// udev read; those present are part of every Set.
var MetadataFiles = []string{
	"modules.alias", "modules.alias.bin", "modules.builtin", "modules.builtin.alias.bin",
	"modules.builtin.bin", "modules.builtin.modinfo", "modules.dep", "modules.dep.bin",
	"modules.devname", "modules.order", "modules.softdep", "modules.symbols",
	"modules.symbols.bin", "modules.weakdep",
}

// Want says which modules to take.
type Want struct {
	All bool // every module of modules.dep
	// Names are module names; "-" and "_" are the same, as for modprobe.
	Names []string
	// Dirs are directories relative to kernel/ ("drivers/net/ethernet"),
	// which may hold path.Match wildcards ("drivers/net/*"); every module
	// below a matching directory is taken. A pattern that matches nothing
	// is not an error: kernels differ in what they build as modules.
	Dirs []string
}

// Set is the result of Closure. Paths are absolute inside the root, below
// the real module directory (no symlink in them).
type Set struct {
	Dir      string   // the module directory, e.g. /usr/lib/modules/6.1.0-18-amd64
	Links    []string // symlinks passed to reach Dir, e.g. /lib
	Modules  []string // module files, each after the modules it depends on
	Metadata []string // the MetadataFiles present
	Builtin  []string // wanted names that are built into the kernel
}

// Files returns every path of the set, sorted: what to copy into an
// archive.
func (s *Set) Files() []string {
	out := append(append(append([]string(nil), s.Links...), s.Metadata...), s.Modules...)
	sort.Strings(out)
	return out
}

// Name returns the module name of a module file path: its base name without
// .ko and a compression suffix, with "-" turned into "_".
func Name(p string) string {
	base := path.Base(p)
	if i := strings.Index(base, ".ko"); i >= 0 {
		base = base[:i]
	}
	return strings.ReplaceAll(base, "-", "_")
}

// Closure returns the modules of kernel kver in root that want asks for,
// with their dependencies (and soft dependencies, when present) and the
// metadata files. A wanted name that is neither a module nor built in is
// an error naming it.
func Closure(root, kver string, want Want) (*Set, error) {
	dir, links, err := inroot.Resolve(root, "/lib/modules/"+kver)
	if err != nil {
		return nil, fmt.Errorf("find modules of kernel %s: %w", kver, err)
	}
	idx, err := load(root, dir)
	if err != nil {
		return nil, err
	}
	set := &Set{Dir: dir}
	for _, l := range links {
		set.Links = append(set.Links, l.Path)
	}
	for _, m := range MetadataFiles {
		if ok, err := inroot.Exists(root, path.Join(dir, m)); err != nil {
			return nil, err
		} else if ok {
			set.Metadata = append(set.Metadata, path.Join(dir, m))
		}
	}
	roots, builtin, err := idx.pick(want)
	if err != nil {
		return nil, fmt.Errorf("select modules of kernel %s in %s: %w", kver, root, err)
	}
	set.Builtin = builtin
	done := map[string]bool{}
	for _, rel := range roots {
		idx.visit(rel, done, func(rel string) { set.Modules = append(set.Modules, path.Join(dir, rel)) })
	}
	return set, nil
}

// visit calls emit for rel's dependencies, then for rel, once each.
func (idx *index) visit(rel string, done map[string]bool, emit func(string)) {
	if done[rel] {
		return
	}
	done[rel] = true
	deps := append([]string(nil), idx.softPre[Name(rel)]...)
	for _, d := range idx.deps[rel] {
		idx.visit(d, done, emit)
	}
	for _, d := range deps {
		idx.visit(d, done, emit)
	}
	emit(rel)
	for _, d := range idx.softPost[Name(rel)] {
		idx.visit(d, done, emit)
	}
}

// pick returns the module files that want names directly, sorted, and
// the wanted names that are built in.
func (idx *index) pick(want Want) ([]string, []string, error) {
	picked := map[string]bool{}
	var builtin, missing []string
	for _, n := range want.Names {
		n = strings.ReplaceAll(n, "-", "_")
		switch rel, ok := idx.byName[n]; {
		case ok:
			picked[rel] = true
		case idx.builtin[n]:
			builtin = append(builtin, n)
		default:
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, nil, fmt.Errorf("%s: %w", strings.Join(missing, ", "), ErrNotFound)
	}
	for _, pattern := range want.Dirs {
		pattern = strings.Trim(path.Clean(pattern), "/")
		if _, err := path.Match(pattern, ""); err != nil {
			return nil, nil, fmt.Errorf("match directory %q: %w", pattern, err)
		}
		n := len(strings.Split(pattern, "/"))
		for rel := range idx.deps {
			comps := strings.Split(rel, "/")
			if len(comps) < n+2 || comps[0] != "kernel" {
				continue
			}
			if ok, _ := path.Match(pattern, strings.Join(comps[1:n+1], "/")); ok {
				picked[rel] = true
			}
		}
	}
	if want.All {
		for rel := range idx.deps {
			picked[rel] = true
		}
	}
	out := make([]string, 0, len(picked))
	for rel := range picked {
		out = append(out, rel)
	}
	sort.Strings(out)
	sort.Strings(builtin)
	return out, builtin, nil
}
