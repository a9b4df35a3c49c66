package flavours

import (
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// BootstrapPackages returns the packages every flavour lists in its
// bootstrap-packages file (one a line, # comments), sorted and without
// repeats. They are installed when the base root is made, so they are part
// of the cached base: a rebuild does not install them again.
func (s *Set) BootstrapPackages() []string { return s.packages }

// collectPackages reads and checks every flavour's bootstrap-packages.
func (s *Set) collectPackages() error {
	for _, f := range s.Flavours {
		list, err := f.List("bootstrap-packages")
		if err != nil {
			return err
		}
		for _, p := range list {
			if !packageRE.MatchString(p) {
				return fmt.Errorf("%s/bootstrap-packages: bad package name %q", f.Dir, p)
			}
			if !slices.Contains(s.packages, p) {
				s.packages = append(s.packages, p)
			}
		}
	}
	slices.Sort(s.packages)
	return nil
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
