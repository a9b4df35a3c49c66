package elfdeps

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// triplets maps ELF machines to Debian's multiarch directory names.
var triplets = map[elf.Machine]string{
	elf.EM_X86_64:  "x86_64-linux-gnu",
	elf.EM_386:     "i386-linux-gnu",
	elf.EM_AARCH64: "aarch64-linux-gnu",
	elf.EM_ARM:     "arm-linux-gnueabihf",
	elf.EM_RISCV:   "riscv64-linux-gnu",
	elf.EM_PPC64:   "powerpc64le-linux-gnu",
	elf.EM_S390:    "s390x-linux-gnu",
	elf.EM_MIPS:    "mips64el-linux-gnuabi64",
}

// defaultDirs returns the loader's built-in directories for an object of
// ef's machine: the multiarch ones, then lib64 for 64-bit objects, then lib.
func defaultDirs(ef *elf.File) []string {
	var dirs []string
	if t, ok := triplets[ef.Machine]; ok {
		dirs = append(dirs, "/lib/"+t, "/usr/lib/"+t)
	}
	if ef.Class == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// ldconf returns the directories listed in the root's /etc/ld.so.conf and
// the files it includes, read once. A root without the file has none.
func (r *resolver) ldconf() ([]string, error) {
	if r.confd {
		return r.conf, nil
	}
	r.confd = true
	dirs, err := r.readConf("/etc/ld.so.conf", 0)
	if err != nil {
		return nil, err
	}
	r.conf = dirs
	return dirs, nil
}

// readConf parses one ld.so.conf file inside the root: directories
// (separated by white space, colons or commas), "include GLOB" lines
// (relative globs are taken from the file's directory) and "hwcap" lines,
// which are ignored.
func (r *resolver) readConf(p string, depth int) ([]string, error) {
	if depth > 10 {
		return nil, fmt.Errorf("read %s in root %s: includes nested too deep", p, r.root)
	}
	real, _, err := inroot.Resolve(r.root, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	f, err := os.Open(filepath.Join(r.root, real))
	if err != nil {
		return nil, fmt.Errorf("read %s in root %s: %w", p, r.root, err)
	}
	defer f.Close()
	var dirs []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.FieldsFunc(line, func(c rune) bool {
			return c == ' ' || c == '\t' || c == ':' || c == ','
		})
		if len(fields) == 0 || fields[0] == "hwcap" {
			continue
		}
		if fields[0] != "include" {
			dirs = append(dirs, fields...)
			continue
		}
		for _, pattern := range fields[1:] {
			if !path.IsAbs(pattern) {
				pattern = path.Join(path.Dir(p), pattern)
			}
			for _, inc := range r.glob(pattern) {
				more, err := r.readConf(inc, depth+1)
				if err != nil {
					return nil, err
				}
				dirs = append(dirs, more...)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s in root %s: %w", p, r.root, err)
	}
	return dirs, nil
}

// glob expands pattern inside the root. The directory part is resolved
// inside the root first, so only the last component may hold wildcards.
func (r *resolver) glob(pattern string) []string {
	dir, _, err := inroot.Resolve(r.root, path.Dir(pattern))
	if err != nil {
		return nil
	}
	entries, err := os.ReadDir(filepath.Join(r.root, dir))
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		if ok, _ := path.Match(path.Base(pattern), e.Name()); ok {
			out = append(out, path.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out
}
