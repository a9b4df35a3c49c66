// Package flavours finds, orders, validates and runs flavours: directories
// of hook scripts that compose an image. A flavour is found along the
// search path (FLAVOURS_PATH) first, then among the built-in flavours
// embedded in this package.
//
// A set may also hold elements of the original diskimage-builder (DIB),
// found by an Elements lookup (package elements): they follow DIB's rules
// (element-deps and element-provides, run-parts skipping files it would not
// run, numeric hook order, bash environment.d) while flavours keep ours.
//
// Everything that can be wrong with a set of flavours (an unknown flavour,
// a dependency cycle, two hooks with the same name in one phase, a hook that
// is not executable, a badly named file) is found by Resolve, before any
// side effect.
package flavours

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// builtin holds the flavours shipped with the project: each directory
// beside this file is one flavour. The pattern names what lies in those
// directories, so the package's own Go files stay out of the binaries.
//
//go:embed */*
var builtin embed.FS

// nameRE is what a flavour's name must look like.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// hookRE is the run-parts rule for hook file names.
var hookRE = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// Flavour is one flavour directory.
type Flavour struct {
	Name string
	// Dir is where it was found: a directory on disk, or
	// "builtin:NAME" for an embedded flavour.
	Dir string
	// Deps are the flavours named in its flavour-deps file (element-deps
	// for an element).
	Deps []string
	// Provides are the virtual names an element's element-provides file
	// declares (such as operating-system); flavours provide none.
	Provides []string
	// DIB tells that the directory is an element of the original
	// diskimage-builder and follows its rules.
	DIB  bool
	fsys fs.FS // rooted at the flavour directory
	// onDisk tells whether file modes are real (embedded files have none:
	// every hook of a built-in flavour counts as executable).
	onDisk bool
}

// FS returns the flavour's files.
func (f *Flavour) FS() fs.FS { return f.fsys }

// Builtin lists the names of the built-in flavours, sorted.
func Builtin() []string {
	entries, _ := fs.ReadDir(builtin, ".")
	var names []string
	for _, e := range entries {
		if e.IsDir() && nameRE.MatchString(e.Name()) && e.Name() != "testdata" {
			names = append(names, e.Name())
		}
	}
	return names
}

// Elements finds elements of the original diskimage-builder for Resolve.
// A name is looked up in this order: FLAVOURS_PATH, Native (the elements
// done natively, which no element directory replaces), OnPath (ELEMENTS_PATH),
// the built-in flavours, then Library (built-in elements used when no
// directory provides them). Each returns nil and no error when it has no
// such element, and an error for one it refuses.
type Elements interface {
	Native(name string) (*Flavour, error)
	OnPath(name string) (*Flavour, error)
	Library(name string) (*Flavour, error)
	// Where describes ELEMENTS_PATH for "not found" errors ("" when
	// empty).
	Where() string
}

// find looks name up: searchPath (FLAVOURS_PATH), natively done elements,
// ELEMENTS_PATH, the built-in flavours, the built-in elements.
func find(name string, searchPath []string, el Elements) (*Flavour, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("bad flavour name %q: use letters, digits, '.', '_' and '-'", name)
	}
	if f, err := onSearchPath(name, searchPath); f != nil || err != nil {
		return f, err
	}
	if el != nil {
		if f, err := el.Native(name); f != nil || err != nil {
			return f, err
		}
		if f, err := el.OnPath(name); f != nil || err != nil {
			return f, err
		}
	}
	if f, err := builtinFlavour(name); f != nil || err != nil {
		return f, err
	}
	if el != nil {
		if f, err := el.Library(name); f != nil || err != nil {
			return f, err
		}
	}
	where := "the built-in flavours"
	if el != nil {
		where = "the built-in flavours and elements"
		if w := el.Where(); w != "" {
			where = w + " or " + where
		}
	}
	if len(searchPath) > 0 {
		where = strings.Join(searchPath, ":") + " (FLAVOURS_PATH) or " + where
	}
	return nil, fmt.Errorf("flavour %q not found in %s", name, where)
}

// onSearchPath finds name along FLAVOURS_PATH.
func onSearchPath(name string, searchPath []string) (*Flavour, error) {
	for _, dir := range searchPath {
		if dir == "" {
			continue
		}
		d := filepath.Join(dir, name)
		fi, err := os.Stat(d)
		if err == nil && fi.IsDir() {
			return load(name, d, os.DirFS(d), true)
		}
		if errors.Is(err, fs.ErrPermission) {
			// Read as the caller of a build through sudo: there, but not
			// the caller's to read.
			return nil, fmt.Errorf("flavour %s: %w", name, err)
		}
	}
	return nil, nil
}

// builtinFlavour finds name among the built-in flavours.
func builtinFlavour(name string) (*Flavour, error) {
	if fi, err := fs.Stat(builtin, name); err == nil && fi.IsDir() && name != "testdata" {
		sub, _ := fs.Sub(builtin, name)
		return load(name, "builtin:"+name, sub, false)
	}
	return nil, nil
}

// BuiltinFlavour returns the built-in flavour name, or nil.
func BuiltinFlavour(name string) *Flavour {
	f, _ := builtinFlavour(name)
	return f
}

func load(name, dir string, fsys fs.FS, onDisk bool) (*Flavour, error) {
	f := &Flavour{Name: name, Dir: dir, fsys: fsys, onDisk: onDisk}
	deps, err := f.List("flavour-deps")
	f.Deps = deps
	return f, err
}

// NewElement makes an element of the original diskimage-builder from the
// directory dir (its files in fsys; onDisk when they have real modes):
// element-deps and element-provides list one name a line, blank lines
// ignored, as DIB reads them.
func NewElement(name, dir string, fsys fs.FS, onDisk bool) (*Flavour, error) {
	f := &Flavour{Name: name, Dir: dir, fsys: fsys, onDisk: onDisk, DIB: true}
	var err error
	if f.Deps, err = f.lines("element-deps"); err != nil {
		return nil, err
	}
	if f.Provides, err = f.lines("element-provides"); err != nil {
		return nil, err
	}
	return f, nil
}

// lines reads a DIB list file: one entry a line, stripped, blanks and
// repeats dropped, nothing else interpreted. A missing file is empty.
func (f *Flavour) lines(name string) ([]string, error) {
	data, err := fs.ReadFile(f.fsys, name)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path.Join(f.Dir, name), err)
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out, nil
}

func isNotExist(err error) bool { return err != nil && os.IsNotExist(err) || err == fs.ErrNotExist }
