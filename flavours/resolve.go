package flavours

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// packageRE is what a Debian package name looks like.
var packageRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// Hook is one executable of a phase.
type Hook struct {
	Flavour *Flavour
	Phase   Phase
	Name    string
}

// Label names the hook in output and errors: "FLAVOUR/PHASE.d/NAME".
func (h Hook) Label() string { return h.Flavour.Name + "/" + h.Phase.Dir() + "/" + h.Name }

// EnvFile is one file of a flavour's environment.d.
type EnvFile struct {
	Flavour *Flavour
	Name    string
}

// Set is a resolved, validated set of flavours.
type Set struct {
	// Flavours in dependency order: every flavour after those it depends on.
	Flavours []*Flavour
	hooks    map[string][]Hook
	env      []EnvFile
	packages []string // bootstrap-packages, sorted, without repeats
}

// Hooks returns the hooks of phase p from all flavours, in C-locale order
// of their names.
func (s *Set) Hooks(p Phase) []Hook { return s.hooks[p.Name] }

// EnvFiles returns every environment.d file, in C-locale order of names.
func (s *Set) EnvFiles() []EnvFile { return s.env }

// Names returns the names of all flavours in dependency order.
func (s *Set) Names() []string {
	names := make([]string, len(s.Flavours))
	for i, f := range s.Flavours {
		names[i] = f.Name
	}
	return names
}

// Has reports whether the set includes flavour name.
func (s *Set) Has(name string) bool {
	for _, f := range s.Flavours {
		if f.Name == name {
			return true
		}
	}
	return false
}

// Resolve finds the named flavours and everything they depend on along
// searchPath (then the built-in flavours), orders them, and validates every
// hook. It reads files only.
func Resolve(names []string, searchPath []string) (*Set, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no flavour given")
	}
	r := resolver{searchPath: searchPath, state: map[string]int{}, found: map[string]*Flavour{}}
	for _, n := range names {
		if err := r.visit(n, nil); err != nil {
			return nil, err
		}
	}
	s := &Set{Flavours: r.order, hooks: map[string][]Hook{}}
	if err := s.collect(); err != nil {
		return nil, err
	}
	if err := s.collectPackages(); err != nil {
		return nil, err
	}
	return s, nil
}

type resolver struct {
	searchPath []string
	state      map[string]int // 1 visiting, 2 done
	found      map[string]*Flavour
	order      []*Flavour
}

func (r *resolver) visit(name string, chain []string) error {
	switch r.state[name] {
	case 2:
		return nil
	case 1:
		i := indexOf(chain, name)
		cycle := append(append([]string(nil), chain[i:]...), name)
		return fmt.Errorf("flavour dependency cycle: %s", strings.Join(cycle, " -> "))
	}
	f, err := find(name, r.searchPath)
	if err != nil {
		if len(chain) > 0 {
			return fmt.Errorf("%w (needed by %s)", err, chain[len(chain)-1])
		}
		return err
	}
	r.state[name] = 1
	for _, d := range f.Deps {
		if err := r.visit(d, append(chain, name)); err != nil {
			return err
		}
	}
	r.state[name] = 2
	r.order = append(r.order, f)
	return nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return 0
}

// collect gathers and validates the hooks and environment files.
func (s *Set) collect() error {
	for _, p := range Phases {
		seen := map[string]*Flavour{}
		var hooks []Hook
		for _, f := range s.Flavours {
			entries, err := fs.ReadDir(f.fsys, p.Dir())
			if isNotExist(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", path.Join(f.Dir, p.Dir()), err)
			}
			for _, e := range entries {
				where := path.Join(f.Dir, p.Dir(), e.Name())
				if e.IsDir() {
					return fmt.Errorf("%s: a hook directory may not hold directories", where)
				}
				if !hookRE.MatchString(e.Name()) {
					return fmt.Errorf("%s: bad hook name (run-parts names use only letters, digits, '_' and '-')", where)
				}
				if prev, dup := seen[e.Name()]; dup {
					return fmt.Errorf("hook %s.d/%s is in both %s and %s", p.Name, e.Name(), prev.Dir, f.Dir)
				}
				if f.onDisk {
					info, err := e.Info()
					if err != nil {
						return fmt.Errorf("stat %s: %w", where, err)
					}
					if info.Mode()&0o111 == 0 {
						return fmt.Errorf("%s: hook is not executable (chmod +x it)", where)
					}
				}
				seen[e.Name()] = f
				hooks = append(hooks, Hook{Flavour: f, Phase: p, Name: e.Name()})
			}
		}
		sort.Slice(hooks, func(i, j int) bool { return hooks[i].Name < hooks[j].Name })
		s.hooks[p.Name] = hooks
	}
	seen := map[string]*Flavour{}
	for _, f := range s.Flavours {
		entries, err := fs.ReadDir(f.fsys, "environment.d")
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path.Join(f.Dir, "environment.d"), err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if prev, dup := seen[e.Name()]; dup {
				return fmt.Errorf("environment.d/%s is in both %s and %s", e.Name(), prev.Dir, f.Dir)
			}
			seen[e.Name()] = f
			s.env = append(s.env, EnvFile{Flavour: f, Name: e.Name()})
		}
	}
	sort.Slice(s.env, func(i, j int) bool { return s.env[i].Name < s.env[j].Name })
	return nil
}
