package kernel

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/debversion"
)

// ErrNoKernel is wrapped by the error of a search that found no kernel
// and initrd pair.
var ErrNoKernel = errors.New("no kernel found")

// Boot is a kernel and its initrd in one filesystem.
type Boot struct {
	Kernel  string // path in the filesystem, links resolved ("boot/vmlinuz-6.12.10-amd64")
	Initrd  string // path in the filesystem, links resolved ("boot/initrd.img-6.12.10-amd64")
	Version string // "6.12.10-amd64"; empty when only an unversioned link named the kernel
}

// bootDirs are where kernels are looked for: a root filesystem's /boot,
// and the top of a separate /boot filesystem.
var bootDirs = []string{"boot", "."}

// maxLinks bounds how many symlinks one name is followed through.
const maxLinks = 40

// FindIn finds the newest kernel that has an initrd in fsys, which is a
// root filesystem (kernels in boot/) or a separate /boot filesystem
// (kernels at its top). Kernels are files named vmlinuz-VERSION, ordered
// by debversion.Compare (dpkg's order); their initrd is initrd.img-VERSION,
// initramfs-VERSION.img, initrd-VERSION.img or initrd-VERSION beside them.
// When no such file is listed, the links vmlinuz and initrd.img (as
// Debian makes them) are followed. Links may be relative or absolute; an
// absolute link is taken within fsys. fsys may be an image's filesystem
// or a directory (os.DirFS). Each directory is listed once, however many
// kernels it holds.
//
// The search is bounded (see budget.go): FindIn with its own budget,
// findIn with the budget of a whole image's search.
func FindIn(fsys fs.FS) (Boot, error) { return findIn(fsys, newBudget(context.Background())) }

// findIn is FindIn charging b; it stops with b's error once b is spent.
func findIn(fsys fs.FS, b *budget) (Boot, error) {
	f := &finder{fsys: budgetFS{fsys, b}, b: b, lists: map[string]map[string]fs.DirEntry{}, resolved: map[string]resolution{}}
	kernels := f.versioned()
	if len(kernels) == 0 && f.err == nil {
		kernels = f.linked()
	}
	if f.err != nil {
		return Boot{}, f.err
	}
	if len(kernels) == 0 {
		return Boot{}, fmt.Errorf("%w: no vmlinuz-* file or vmlinuz link in /boot or /", ErrNoKernel)
	}
	for _, k := range kernels {
		if k.Initrd = f.initrdFor(k); k.Initrd != "" {
			return k.Boot, nil
		}
		if f.err != nil {
			return Boot{}, f.err
		}
	}
	return Boot{}, fmt.Errorf("%w: no initrd for %s", ErrNoKernel, kernels[0].Kernel)
}

// finder searches one filesystem, keeping the listings it read and the
// names it resolved.
type finder struct {
	fsys     fs.FS
	b        *budget
	lists    map[string]map[string]fs.DirEntry // by directory, then name; nil if unreadable
	resolved map[string]resolution             // by name: where its links end
	err      error                             // the budget's or the context's, which ends the search
}

// resolution is where a name's symbolic links end, or why they do not.
type resolution struct {
	path string
	err  error
}

// list returns the entries of dir by name, reading it once.
func (f *finder) list(dir string) map[string]fs.DirEntry {
	if l, ok := f.lists[dir]; ok {
		return l
	}
	ents, err := fs.ReadDir(f.fsys, dir)
	if stopping(err) {
		f.err = err
	}
	var l map[string]fs.DirEntry
	if err == nil {
		l = make(map[string]fs.DirEntry, len(ents))
		for _, e := range ents {
			l[e.Name()] = e
		}
	}
	f.lists[dir] = l
	return l
}

// candidate is a kernel found, and the link that named it, if any.
type candidate struct {
	Boot
	link string
}

// versioned lists the vmlinuz-VERSION files, newest first.
func (f *finder) versioned() []candidate {
	var out []candidate
	seen := map[Boot]bool{}
	for _, dir := range bootDirs {
		for name, e := range f.list(dir) {
			v, ok := strings.CutPrefix(name, "vmlinuz-")
			if !ok || v == "" {
				continue
			}
			p, err := f.regular(path.Join(dir, name), e)
			if f.err != nil {
				return nil
			}
			if err != nil {
				continue
			}
			// One file may be named by several versions (vmlinuz-new
			// linking to vmlinuz-6.1.0-28-amd64); each version looks
			// for its own initrd, so the pair is the key.
			b := Boot{Kernel: p, Version: v}
			if seen[b] {
				continue
			}
			seen[b] = true
			out = append(out, candidate{Boot: b})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if c := debversion.Compare(out[i].Version, out[j].Version); c != 0 {
			return c > 0
		}
		return out[i].Kernel < out[j].Kernel
	})
	return out
}

// linked follows the vmlinuz links in the boot directories.
func (f *finder) linked() []candidate {
	var out []candidate
	for _, dir := range bootDirs {
		link := path.Join(dir, "vmlinuz")
		p, err := f.resolve(link)
		if err != nil {
			continue
		}
		v, _ := strings.CutPrefix(path.Base(p), "vmlinuz-")
		if v == path.Base(p) {
			v = ""
		}
		out = append(out, candidate{Boot: Boot{Kernel: p, Version: v}, link: link})
	}
	return out
}

// initrdFor returns the initrd matching k, or "".
func (f *finder) initrdFor(k candidate) string {
	dir := path.Dir(k.Kernel)
	var names []string
	if v := k.Version; v != "" {
		names = append(names, "initrd.img-"+v, "initramfs-"+v+".img", "initrd-"+v+".img", "initrd-"+v)
	}
	for _, n := range names {
		if e, ok := f.list(dir)[n]; ok {
			if p, err := f.regular(path.Join(dir, n), e); err == nil {
				return p
			}
		}
	}
	if k.link != "" {
		if p, err := f.resolve(path.Join(path.Dir(k.link), "initrd.img")); err == nil {
			return p
		}
	}
	return ""
}

// regular returns name if its directory entry e is a regular file, or
// where the symlink chain at name ends.
func (f *finder) regular(name string, e fs.DirEntry) (string, error) {
	if e.Type().IsRegular() {
		return name, nil
	}
	return f.resolve(name)
}

// resolve follows the symlink chain at name and returns the path of the
// regular file it ends at. Every name of the chain is remembered, so that
// many names linking through one chain walk it once; every hop is charged
// to the search's budget.
func (f *finder) resolve(name string) (string, error) {
	var chain []string
	end := func(r resolution) (string, error) {
		for _, n := range chain {
			f.resolved[n] = r
		}
		if stopping(r.err) {
			f.err = r.err
		}
		return r.path, r.err
	}
	for range maxLinks {
		if r, ok := f.resolved[name]; ok {
			return end(r)
		}
		chain = append(chain, name)
		info, err := fs.Lstat(f.fsys, name)
		if err != nil {
			return end(resolution{err: err})
		}
		if info.Mode().IsRegular() {
			return end(resolution{path: name})
		}
		if info.Mode().Type() != fs.ModeSymlink {
			return end(resolution{err: fmt.Errorf("resolve %s: not a regular file", name)})
		}
		if err := f.b.hop(); err != nil {
			return end(resolution{err: err})
		}
		target, err := fs.ReadLink(f.fsys, name)
		if err != nil {
			return end(resolution{err: err})
		}
		if strings.HasPrefix(target, "/") {
			name = path.Clean(target[1:])
		} else {
			name = path.Join(path.Dir(name), target)
		}
		for strings.HasPrefix(name, "../") || name == ".." {
			name = strings.TrimPrefix(strings.TrimPrefix(name, ".."), "/")
		}
		if name == "" {
			name = "."
		}
	}
	return end(resolution{err: fmt.Errorf("resolve %s: too many levels of symbolic links", name)})
}
