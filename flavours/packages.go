package flavours

import (
	"io/fs"
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
		for _, p := range listFile(f.fsys, "bootstrap-packages") {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}

// listFile reads a one-entry-a-line file of a flavour; "#" starts a
// comment. A missing file is an empty list.
func listFile(fsys fs.FS, name string) []string {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		out = append(out, strings.Fields(line)...)
	}
	return out
}
