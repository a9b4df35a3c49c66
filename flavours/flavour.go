// Package flavours finds, orders, validates and runs flavours: directories
// of hook scripts that compose an image. A flavour is found along the
// search path (FLAVOURS_PATH) first, then among the built-in flavours
// embedded in this package.
//
// Everything that can be wrong with a set of flavours (an unknown flavour,
// a dependency cycle, two hooks with the same name in one phase, a hook that
// is not executable, a badly named file) is found by Resolve, before any
// side effect.
package flavours

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
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
	// Deps are the flavours named in its flavour-deps file.
	Deps []string
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

// find looks name up along searchPath, then among the built-in flavours.
func find(name string, searchPath []string) (*Flavour, error) {
	if !nameRE.MatchString(name) {
		return nil, fmt.Errorf("bad flavour name %q: use letters, digits, '.', '_' and '-'", name)
	}
	for _, dir := range searchPath {
		if dir == "" {
			continue
		}
		d := filepath.Join(dir, name)
		if fi, err := os.Stat(d); err == nil && fi.IsDir() {
			return load(name, d, os.DirFS(d), true)
		}
	}
	if fi, err := fs.Stat(builtin, name); err == nil && fi.IsDir() && name != "testdata" {
		sub, _ := fs.Sub(builtin, name)
		return load(name, "builtin:"+name, sub, false)
	}
	where := "the built-in flavours"
	if len(searchPath) > 0 {
		where = strings.Join(searchPath, ":") + " (FLAVOURS_PATH) or " + where
	}
	return nil, fmt.Errorf("flavour %q not found in %s", name, where)
}

func load(name, dir string, fsys fs.FS, onDisk bool) (*Flavour, error) {
	f := &Flavour{Name: name, Dir: dir, fsys: fsys, onDisk: onDisk}
	deps, err := f.List("flavour-deps")
	f.Deps = deps
	return f, err
}

func isNotExist(err error) bool { return err != nil && os.IsNotExist(err) || err == fs.ErrNotExist }
