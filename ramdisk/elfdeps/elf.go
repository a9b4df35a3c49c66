package elfdeps

import (
	"debug/elf"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// addELF adds the interpreter and the needed libraries of the ELF object p
// (real path real), searching them as the dynamic loader would.
func (r *resolver) addELF(p, real string, f io.ReaderAt, inherited []string) error {
	ef, err := elf.NewFile(f)
	if err != nil {
		return fmt.Errorf("read ELF %s in root %s: %w", p, r.root, err)
	}
	defer ef.Close()
	for _, prog := range ef.Progs {
		if prog.Type != elf.PT_INTERP {
			continue
		}
		b, err := io.ReadAll(prog.Open())
		if err != nil {
			return fmt.Errorf("read interpreter of %s in root %s: %w", p, r.root, err)
		}
		interp := strings.TrimRight(string(b), "\x00")
		if err := r.add(interp, nil); err != nil {
			return fmt.Errorf("add interpreter of %s: %w", p, err)
		}
	}
	needed, err := ef.DynString(elf.DT_NEEDED)
	if err != nil {
		return fmt.Errorf("read DT_NEEDED of %s in root %s: %w", p, r.root, err)
	}
	if len(needed) == 0 {
		return nil
	}
	origin := path.Dir(real)
	runpath, err := searchList(ef, elf.DT_RUNPATH, origin)
	if err != nil {
		return fmt.Errorf("read DT_RUNPATH of %s in root %s: %w", p, r.root, err)
	}
	rpath, err := searchList(ef, elf.DT_RPATH, origin)
	if err != nil {
		return fmt.Errorf("read DT_RPATH of %s in root %s: %w", p, r.root, err)
	}
	// DT_RPATH applies only without DT_RUNPATH, and is inherited by the
	// objects this one loads.
	var dirs, pass []string
	if len(runpath) == 0 {
		pass = append(append(pass, rpath...), inherited...)
		dirs = append(dirs, pass...)
	} else {
		pass = inherited
	}
	dirs = append(dirs, runpath...)
	conf, err := r.ldconf()
	if err != nil {
		return err
	}
	dirs = append(append(dirs, conf...), defaultDirs(ef)...)
	for _, name := range needed {
		lib, err := r.find(name, ef, dirs)
		if err != nil {
			return fmt.Errorf("find library %s needed by %s in root %s: %w", name, p, r.root, err)
		}
		if err := r.add(lib, pass); err != nil {
			return fmt.Errorf("add library %s needed by %s: %w", name, p, err)
		}
	}
	return nil
}

// find returns the path (as found, symlinks kept) of the first library name
// in dirs that matches the class and machine of the object that needs it.
func (r *resolver) find(name string, need *elf.File, dirs []string) (string, error) {
	if strings.Contains(name, "/") {
		dirs = []string{"/"}
	}
	for _, dir := range dirs {
		cand := path.Join(dir, name)
		real, _, err := inroot.Resolve(r.root, cand)
		if err != nil {
			continue
		}
		if compatible(filepath.Join(r.root, real), need) {
			return cand, nil
		}
	}
	return "", ErrNotFound
}

// compatible reports whether the file at hostPath is an ELF object of the
// same class and machine as need, as the loader requires.
func compatible(hostPath string, need *elf.File) bool {
	fi, err := os.Stat(hostPath)
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	ef, err := elf.Open(hostPath)
	if err != nil {
		return false
	}
	defer ef.Close()
	return ef.Class == need.Class && ef.Machine == need.Machine
}

// searchList returns the directories of a DT_RPATH or DT_RUNPATH entry with
// $ORIGIN expanded to origin.
func searchList(ef *elf.File, tag elf.DynTag, origin string) ([]string, error) {
	vals, err := ef.DynString(tag)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for _, v := range vals {
		for _, d := range strings.Split(v, ":") {
			if d == "" {
				continue
			}
			d = strings.ReplaceAll(d, "${ORIGIN}", origin)
			d = strings.ReplaceAll(d, "$ORIGIN", origin)
			dirs = append(dirs, d)
		}
	}
	return dirs, nil
}
