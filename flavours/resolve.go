package flavours

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// packageRE is what a Debian package name looks like.
var packageRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+.-]+$`)

// OperatingSystem is the virtual element every build with elements of the
// original diskimage-builder needs one element to provide.
const OperatingSystem = "operating-system"

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
	packages []string          // bootstrap-packages, sorted, without repeats
	provided map[string]string // virtual name -> the element providing it
}

// Hooks returns the hooks of phase p that run in p's place for flavours,
// in run order: C-locale order of their names, or with elements in the
// set, DIB's (numeric, then C-locale). Block-device hooks of elements are
// not among them (see ElementHooks).
func (s *Set) Hooks(p Phase) []Hook {
	if p == BlockDevice {
		return slices.DeleteFunc(slices.Clone(s.hooks[p.Name]), func(h Hook) bool { return h.Flavour.DIB })
	}
	return s.hooks[p.Name]
}

// ElementHooks returns the block-device.d hooks of elements, which run
// where the original diskimage-builder ran them: after post-root.d, before
// pre-finalise.d and the disk.
func (s *Set) ElementHooks(p Phase) []Hook {
	return slices.DeleteFunc(slices.Clone(s.hooks[p.Name]), func(h Hook) bool { return !h.Flavour.DIB })
}

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
func (s *Set) Has(name string) bool { return s.Get(name) != nil }

// Get returns the set's flavour name, or nil.
func (s *Set) Get(name string) *Flavour {
	for _, f := range s.Flavours {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// DIB reports whether the set holds an element of the original
// diskimage-builder.
func (s *Set) DIB() bool {
	return slices.ContainsFunc(s.Flavours, func(f *Flavour) bool { return f.DIB })
}

// ProvidedBy returns the element that provides the virtual name, or "".
func (s *Set) ProvidedBy(name string) string { return s.provided[name] }

// Options say where Resolve looks flavours and elements up.
type Options struct {
	FlavoursPath []string // FLAVOURS_PATH, searched before the built-in flavours
	Elements     Elements // elements of the original diskimage-builder; nil for none
	// NoRoot is set when no root is built (a --host ramdisk): the elements
	// need no operating-system element, and none of their hooks run.
	NoRoot bool
}

// Resolve finds the named flavours and everything they depend on along
// searchPath (then the built-in flavours), orders them, and validates every
// hook. It reads files only.
func Resolve(names []string, searchPath []string) (*Set, error) {
	return ResolveWith(names, Options{FlavoursPath: searchPath})
}

// ResolveWith is Resolve with elements of the original diskimage-builder:
// a name is looked up as Elements describes. The set holds what the names
// need, as DIB expands it (a name an element provides is not looked up;
// a name provided twice, or asked for and provided, is an error); a set
// with elements needs one that provides operating-system. Flavours come
// after their dependencies; a dependency cycle is an error unless an
// element is in it (DIB allows those).
func ResolveWith(names []string, o Options) (*Set, error) {
	if len(names) == 0 {
		return nil, fmt.Errorf("no flavour given")
	}
	r := resolver{opts: o, found: map[string]*Flavour{}, provided: map[string]string{}, neededBy: map[string]string{}}
	if err := r.expand(names); err != nil {
		return nil, err
	}
	order, err := r.order(names)
	if err != nil {
		return nil, err
	}
	s := &Set{Flavours: order, hooks: map[string][]Hook{}, provided: r.provided}
	if s.DIB() && !o.NoRoot && r.provided[OperatingSystem] == "" {
		return nil, fmt.Errorf("no element provides %s: diskimage-builder elements (%s) need an operating system element, such as debian-minimal or debian",
			OperatingSystem, strings.Join(dibNames(order), ", "))
	}
	if err := s.collect(); err != nil {
		return nil, err
	}
	if err := s.collectPackages(); err != nil {
		return nil, err
	}
	return s, nil
}

func dibNames(fs []*Flavour) []string {
	var out []string
	for _, f := range fs {
		if f.DIB {
			out = append(out, f.Name)
		}
	}
	return out
}
