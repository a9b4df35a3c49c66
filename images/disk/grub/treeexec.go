package grub

import (
	"debug/elf"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/inroot"
)

// TreeCommand returns the argv prefix that runs the program at prog (an
// absolute path inside tree) with the tree's own ELF interpreter and shared
// libraries instead of the host's: the interpreter named in the program's
// PT_INTERP, resolved inside the tree, with --inhibit-cache and a
// --library-path of the tree's library directories. It needs no root, no
// chroot and no mounts, and works when the tree's C library is newer than
// the host's. Arguments to the program follow the returned prefix.
func TreeCommand(tree, prog string) ([]string, error) {
	bin, err := inroot.HostPath(tree, prog)
	if err != nil {
		return nil, fmt.Errorf("tree command %s: %w", prog, err)
	}
	interp, err := interpreter(bin)
	if err != nil {
		return nil, fmt.Errorf("tree command %s: %w", bin, err)
	}
	ld, err := inroot.HostPath(tree, interp)
	if err != nil {
		return nil, fmt.Errorf("tree command %s: interpreter %s: %w", bin, interp, err)
	}
	libDir := filepath.Dir(ld)
	dirs := []string{libDir}
	if triple := filepath.Base(libDir); strings.Contains(triple, "-linux-") {
		dirs = append(dirs, "/lib/"+triple, "/usr/lib/"+triple)
	}
	dirs = append(dirs, "/lib", "/usr/lib")
	var libPath []string
	seen := map[string]bool{}
	for i, d := range dirs {
		if i > 0 {
			r, err := inroot.HostPath(tree, d)
			if err != nil {
				continue
			}
			d = r
		}
		if !seen[d] {
			seen[d] = true
			libPath = append(libPath, d)
		}
	}
	return []string{ld, "--inhibit-cache", "--library-path", strings.Join(libPath, ":"), bin}, nil
}

// interpreter reads the PT_INTERP program header of the ELF file at p.
func interpreter(p string) (string, error) {
	f, err := elf.Open(p)
	if err != nil {
		return "", fmt.Errorf("read elf header: %w", err)
	}
	defer f.Close()
	for _, ph := range f.Progs {
		if ph.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, ph.Filesz)
		if _, err := ph.ReadAt(b, 0); err != nil {
			return "", fmt.Errorf("read elf interpreter: %w", err)
		}
		return strings.TrimRight(string(b), "\x00"), nil
	}
	return "", errors.New("no elf interpreter: not a dynamically linked program")
}
