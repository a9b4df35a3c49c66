// Package busybox lists the applets of a busybox binary, by running it, and
// adds their links to an initramfs archive, where a real program at the
// same path wins over the applet.
package busybox

import (
	"context"
	"debug/elf"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/inroot"
	"github.com/tripleo/diskimage-builder/internal/run"
	"github.com/tripleo/diskimage-builder/ramdisk/elfdeps"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
)

// machines maps GOARCH to the ELF machine this host runs.
var machines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "386": elf.EM_386, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM,
	"riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390,
}

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

// command returns the argv that runs bin of root on this host: the binary
// itself when static or from the host root, else the root's dynamic
// loader with the root's library directories.
func command(root, bin string) ([]string, error) {
	real, _, err := inroot.Resolve(root, bin)
	if err != nil {
		return nil, fmt.Errorf("find busybox: %w", err)
	}
	host := filepath.Join(root, real)
	ef, err := elf.Open(host)
	if err != nil {
		return nil, fmt.Errorf("read busybox %s: %w", host, err)
	}
	defer ef.Close()
	if m, ok := machines[runtime.GOARCH]; !ok || ef.Machine != m {
		return nil, fmt.Errorf("run busybox %s: built for %s, this host is %s", host, ef.Machine, runtime.GOARCH)
	}
	if root == "/" || root == "" {
		return []string{host}, nil
	}
	files, err := elfdeps.Closure(root, real)
	if err != nil {
		return nil, fmt.Errorf("find libraries of busybox: %w", err)
	}
	interp := ""
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			if _, err := p.ReadAt(b, 0); err != nil {
				return nil, fmt.Errorf("read interpreter of busybox %s: %w", host, err)
			}
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	if interp == "" {
		return []string{host}, nil
	}
	interpReal, _, err := inroot.Resolve(root, interp)
	if err != nil {
		return nil, fmt.Errorf("find interpreter of busybox: %w", err)
	}
	var dirs []string
	seen := map[string]bool{}
	for _, f := range files {
		if d := path.Dir(f.Path); f.Link == "" && f.Path != real && f.Path != interpReal && !seen[d] {
			seen[d] = true
			dirs = append(dirs, filepath.Join(root, d))
		}
	}
	return []string{filepath.Join(root, interpReal), "--library-path", strings.Join(dirs, ":"), host}, nil
}
