package flavours

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// BootstrapPackages returns the packages every flavour lists in its
// bootstrap-packages file (one a line, # comments), sorted and without
// repeats. They are installed when the base root is made, so they are part
// of the cached base: a rebuild does not install them again.
func (s *Set) BootstrapPackages() []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range s.Flavours {
		list, _ := f.List("bootstrap-packages") // read once already by Resolve
		for _, p := range list {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// List reads the flavour's list file name (flavour-deps, binary-deps,
// bootstrap-packages, ...): entries separated by white space or lines, "#"
// starting a comment. A missing file is an empty list.
func (f *Flavour) List(name string) ([]string, error) {
	data, err := fs.ReadFile(f.fsys, name)
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path.Join(f.Dir, name), err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		line, _, _ = strings.Cut(line, "#")
		out = append(out, strings.Fields(line)...)
	}
	return out, nil
}
