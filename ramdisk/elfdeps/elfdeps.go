// Package elfdeps computes the files a program needs to run inside a root
// directory (a target root, or "/" for the host), reading ELF headers with
// debug/elf and never running the host's ldd: the program, its interpreter
// (PT_INTERP), and its DT_NEEDED libraries, found through DT_RPATH and
// DT_RUNPATH (with $ORIGIN), the root's /etc/ld.so.conf and the default
// directories, all resolved inside the root. Every symlink on the way is
// part of the result, so that an archive holds the links and their targets.
// A script (#!) brings in its interpreter's closure.
package elfdeps

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// ErrNotFound is wrapped by the errors for a program, an interpreter or a
// library that is not in the root.
var ErrNotFound = errors.New("not found")

// PathDirs are the directories, inside the root, where a program given by
// name is looked up, in order.
var PathDirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}

// Closure returns the files that the programs bins need, inside root: each
// program, its interpreter, the shared libraries it loads, and every symlink
// passed to reach them, sorted by path. A program is an absolute path inside
// root, or a name looked up in PathDirs inside root. Regular files are
// reported at their real path (no symlink in it), so File.Path with an empty
// Link is always a regular file in root.
func Closure(root string, bins ...string) ([]inroot.File, error) {
	r := &resolver{root: root, files: map[string]inroot.File{}, done: map[string]bool{}}
	for _, b := range bins {
		p, err := Lookup(root, b)
		if err != nil {
			return nil, err
		}
		if err := r.add(p, nil); err != nil {
			return nil, err
		}
	}
	out := make([]inroot.File, 0, len(r.files))
	for _, f := range r.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Lookup returns the path inside root of the program name: name itself when
// it holds a slash, else the first executable regular file name in PathDirs.
func Lookup(root, name string) (string, error) {
	if strings.Contains(name, "/") {
		return path.Clean("/" + name), nil
	}
	for _, dir := range PathDirs {
		p := path.Join(dir, name)
		real, _, err := inroot.Resolve(root, p)
		if err != nil {
			continue
		}
		fi, err := os.Stat(filepath.Join(root, real))
		if err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("look up %s in %s of root %s: %w", name, strings.Join(PathDirs, ":"), root, ErrNotFound)
}

// resolver accumulates the closure of one Closure call.
type resolver struct {
	root  string
	files map[string]inroot.File // by path
	done  map[string]bool        // real paths already scanned
	conf  []string               // ld.so.conf directories, loaded once
	confd bool
}

// record resolves p inside the root, records it and the links passed, and
// returns its real path.
func (r *resolver) record(p string) (string, error) {
	real, links, err := inroot.Resolve(r.root, p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			err = fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		return "", err
	}
	for _, l := range links {
		r.files[l.Path] = l
	}
	r.files[real] = inroot.File{Path: real}
	return real, nil
}

// add records p and everything it needs. rpath is the DT_RPATH list
// inherited from the objects that loaded it.
func (r *resolver) add(p string, rpath []string) error {
	real, err := r.record(p)
	if err != nil {
		return err
	}
	if r.done[real] {
		return nil
	}
	r.done[real] = true
	f, err := os.Open(filepath.Join(r.root, real))
	if err != nil {
		return fmt.Errorf("open %s in root %s: %w", real, r.root, err)
	}
	defer f.Close()
	head := make([]byte, 256)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read %s in root %s: %w", real, r.root, err)
	}
	head = head[:n]
	switch {
	case bytes.HasPrefix(head, []byte(elf.ELFMAG)):
		return r.addELF(p, real, f, rpath)
	case bytes.HasPrefix(head, []byte("#!")):
		return r.addScript(p, head)
	}
	return nil
}

// addScript adds the interpreter named on a script's #! line, and the
// program that /usr/bin/env is asked to run.
func (r *resolver) addScript(p string, head []byte) error {
	line, _, _ := bytes.Cut(head[2:], []byte("\n"))
	fields := strings.Fields(string(line))
	if len(fields) == 0 {
		return fmt.Errorf("read interpreter of script %s in root %s: empty #! line", p, r.root)
	}
	if err := r.add(fields[0], nil); err != nil {
		return fmt.Errorf("add interpreter of script %s: %w", p, err)
	}
	if path.Base(fields[0]) == "env" && len(fields) > 1 && !strings.HasPrefix(fields[1], "-") {
		prog, err := Lookup(r.root, fields[1])
		if err != nil {
			return fmt.Errorf("add interpreter of script %s: %w", p, err)
		}
		return r.add(prog, nil)
	}
	return nil
}
