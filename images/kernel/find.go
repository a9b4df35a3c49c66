package kernel

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
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

// FindIn finds the newest kernel that has an initrd in fsys, which is a
// root filesystem (kernels in boot/) or a separate /boot filesystem
// (kernels at its top). Kernels are files named vmlinuz-VERSION, ordered
// by CompareVersions; their initrd is initrd.img-VERSION,
// initramfs-VERSION.img, initrd-VERSION.img or initrd-VERSION beside them.
// When no such file is listed, the links vmlinuz and initrd.img (as
// Debian makes them) are followed. Links may be relative or absolute; an
// absolute link is taken within fsys. fsys may be an image's filesystem
// or a directory (os.DirFS).
func FindIn(fsys fs.FS) (Boot, error) {
	kernels := versioned(fsys)
	if len(kernels) == 0 {
		kernels = linked(fsys)
	}
	if len(kernels) == 0 {
		return Boot{}, fmt.Errorf("%w: no vmlinuz-* file or vmlinuz link in /boot or /", ErrNoKernel)
	}
	for _, k := range kernels {
		if k.Initrd = initrdFor(fsys, k); k.Initrd != "" {
			return k.Boot, nil
		}
	}
	return Boot{}, fmt.Errorf("%w: no initrd for %s", ErrNoKernel, kernels[0].Kernel)
}

// candidate is a kernel found, and the link that named it, if any.
type candidate struct {
	Boot
	link string
}

// versioned lists the vmlinuz-VERSION files, newest first.
func versioned(fsys fs.FS) []candidate {
	var out []candidate
	seen := map[string]bool{}
	for _, dir := range bootDirs {
		ents, err := fs.ReadDir(fsys, dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			v, ok := strings.CutPrefix(e.Name(), "vmlinuz-")
			if !ok || v == "" {
				continue
			}
			p, err := resolve(fsys, path.Join(dir, e.Name()))
			if err != nil || seen[p] {
				continue
			}
			seen[p] = true
			out = append(out, candidate{Boot: Boot{Kernel: p, Version: v}})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return CompareVersions(out[i].Version, out[j].Version) > 0 })
	return out
}

// linked follows the vmlinuz links in the boot directories.
func linked(fsys fs.FS) []candidate {
	var out []candidate
	for _, dir := range bootDirs {
		link := path.Join(dir, "vmlinuz")
		p, err := resolve(fsys, link)
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
func initrdFor(fsys fs.FS, k candidate) string {
	dir := path.Dir(k.Kernel)
	var names []string
	if v := k.Version; v != "" {
		names = append(names, "initrd.img-"+v, "initramfs-"+v+".img", "initrd-"+v+".img", "initrd-"+v)
	}
	for _, n := range names {
		if p, err := resolve(fsys, path.Join(dir, n)); err == nil {
			return p
		}
	}
	if k.link != "" {
		if p, err := resolve(fsys, path.Join(path.Dir(k.link), "initrd.img")); err == nil {
			return p
		}
	}
	return ""
}

// resolve follows the symlink chain at name and returns the path of the
// regular file it ends at.
func resolve(fsys fs.FS, name string) (string, error) {
	for range maxLinks {
		info, err := fs.Lstat(fsys, name)
		if err != nil {
			return "", err
		}
		if info.Mode().IsRegular() {
			return name, nil
		}
		if info.Mode().Type() != fs.ModeSymlink {
			return "", fmt.Errorf("resolve %s: not a regular file", name)
		}
		target, err := fs.ReadLink(fsys, name)
		if err != nil {
			return "", err
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
	return "", fmt.Errorf("resolve %s: too many levels of symbolic links", name)
}

// sortEntries sorts directory entries by name.
func sortEntries(ents []fs.DirEntry) {
	sort.Slice(ents, func(i, j int) bool { return ents[i].Name() < ents[j].Name() })
}
