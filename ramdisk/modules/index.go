package modules

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// index is what Closure reads from a module directory.
type index struct {
	deps     map[string][]string // module path (relative to the directory) -> its dependencies
	byName   map[string]string   // module name -> path
	builtin  map[string]bool     // names built into the kernel
	softPre  map[string][]string // module name -> paths to load before it
	softPost map[string][]string // module name -> paths to load after it
}

// load reads modules.dep (required), modules.builtin and modules.softdep
// from the real module directory dir inside root.
func load(root, dir string) (*index, error) {
	idx := &index{deps: map[string][]string{}, byName: map[string]string{}, builtin: map[string]bool{},
		softPre: map[string][]string{}, softPost: map[string][]string{}}
	rel := func(p string) string { return strings.TrimPrefix(p, strings.TrimPrefix(dir, "/")+"/") }
	err := eachLine(root, path.Join(dir, "modules.dep"), true, func(line string) error {
		mod, deps, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("no colon in %q", line)
		}
		mod = rel(strings.TrimPrefix(mod, "/"))
		idx.byName[Name(mod)] = mod
		var list []string
		for _, d := range strings.Fields(deps) {
			list = append(list, rel(strings.TrimPrefix(d, "/")))
		}
		idx.deps[mod] = list
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := eachLine(root, path.Join(dir, "modules.builtin"), false, func(line string) error {
		idx.builtin[Name(line)] = true
		return nil
	}); err != nil {
		return nil, err
	}
	err = eachLine(root, path.Join(dir, "modules.softdep"), false, func(line string) error {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "softdep" {
			return nil
		}
		name, into := strings.ReplaceAll(f[1], "-", "_"), idx.softPre
		for _, w := range f[2:] {
			switch w {
			case "pre:":
				into = idx.softPre
			case "post:":
				into = idx.softPost
			default:
				if p, ok := idx.byName[strings.ReplaceAll(w, "-", "_")]; ok {
					into[name] = append(into[name], p)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// eachLine calls fn for each non-empty, non-comment line of the file p
// inside root. A missing file is an error only when required.
func eachLine(root, p string, required bool, fn func(string) error) error {
	real, _, err := inroot.Resolve(root, p)
	if err != nil {
		if !required && errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("read %s in %s: %w", p, root, err)
	}
	f, err := os.Open(filepath.Join(root, real))
	if err != nil {
		return fmt.Errorf("read %s in %s: %w", p, root, err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := fn(line); err != nil {
			return fmt.Errorf("read %s in %s: line %d: %w", p, root, n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s in %s: %w", p, root, err)
	}
	return nil
}
