// Package treeexec runs a program of an image tree on the host with the
// tree's own ELF loader and shared libraries instead of the host's: no
// chroot, no mount and no root are needed, and it works when the tree's C
// library is newer than the host's. The tree's grub-mkimage and busybox run
// this way.
package treeexec

import (
	"debug/elf"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// machines maps GOARCH to the ELF machine this host runs.
var machines = map[string]elf.Machine{
	"amd64": elf.EM_X86_64, "386": elf.EM_386, "arm64": elf.EM_AARCH64, "arm": elf.EM_ARM,
	"riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390,
}

// Command returns the argv prefix that runs prog, an absolute path inside
// tree (links resolved inside the tree), on this host; arguments to the
// program follow it. In the host's own tree ("/"), or for a statically
// linked program, that is the program itself. Otherwise it is the
// interpreter the program names (PT_INTERP), resolved inside the tree, with
// --inhibit-cache and a --library-path of the tree's library directories.
// A program built for another machine is an error naming both.
func Command(tree, prog string) ([]string, error) {
	bin, err := inroot.HostPath(tree, prog)
	if err != nil {
		return nil, fmt.Errorf("run %s of tree %s: %w", prog, tree, err)
	}
	interp, err := interpreter(bin)
	if err != nil {
		return nil, err
	}
	if interp == "" || tree == "/" || tree == "" {
		return []string{bin}, nil
	}
	ld, err := inroot.HostPath(tree, interp)
	if err != nil {
		return nil, fmt.Errorf("run %s: interpreter %s: %w", bin, interp, err)
	}
	return []string{ld, "--inhibit-cache", "--library-path", strings.Join(libraryPath(tree, ld), ":"), bin}, nil
}

// libraryPath lists the tree's library directories, as host paths: the
// interpreter's own, the multiarch ones named after it, /lib and /usr/lib.
func libraryPath(tree, ld string) []string {
	libDir := filepath.Dir(ld)
	dirs := []string{libDir}
	if triple := filepath.Base(libDir); strings.Contains(triple, "-linux-") {
		dirs = append(dirs, "/lib/"+triple, "/usr/lib/"+triple)
	}
	dirs = append(dirs, "/lib", "/usr/lib")
	var out []string
	seen := map[string]bool{}
	for i, d := range dirs {
		if i > 0 {
			r, err := inroot.HostPath(tree, d)
			if err != nil {
				continue // the tree has no such directory
			}
			d = r
		}
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}

// interpreter checks that the ELF file at p runs on this host's machine
// and returns the interpreter its PT_INTERP header names, "" when it is
// statically linked.
func interpreter(p string) (string, error) {
	f, err := elf.Open(p)
	if err != nil {
		return "", fmt.Errorf("read elf header of %s: %w", p, err)
	}
	defer f.Close()
	if m, ok := machines[runtime.GOARCH]; !ok || f.Machine != m {
		return "", fmt.Errorf("run %s: built for %s, this host is %s", p, f.Machine, runtime.GOARCH)
	}
	for _, ph := range f.Progs {
		if ph.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, ph.Filesz)
		if _, err := ph.ReadAt(b, 0); err != nil {
			return "", fmt.Errorf("read elf interpreter of %s: %w", p, err)
		}
		return strings.TrimRight(string(b), "\x00"), nil
	}
	return "", nil
}
