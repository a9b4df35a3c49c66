package flavours

import (
	"fmt"
	"slices"
	"strings"
)

// resolver expands and orders one set.
type resolver struct {
	opts     Options
	found    map[string]*Flavour // every name looked up
	seen     []string            // names in the order they were looked up
	provided map[string]string   // virtual name -> provider
	neededBy map[string]string   // name -> the flavour that first named it
	ordered  []*Flavour
	state    map[string]int // 1 visiting, 2 done (ordering)
}

// expand looks up names and their dependencies breadth first, as DIB's
// element-info does: a name already provided is skipped, one provided
// twice or both asked for and provided is an error.
func (r *resolver) expand(names []string) error {
	queue := slices.Clone(names)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := r.found[name]; done || r.provided[name] != "" {
			continue
		}
		f, err := find(name, r.opts.FlavoursPath, r.opts.Elements)
		if err != nil {
			if by := r.neededBy[name]; by != "" {
				return fmt.Errorf("%w (needed by %s)", err, by)
			}
			return err
		}
		r.found[name] = f
		r.seen = append(r.seen, name)
		for _, p := range f.Provides {
			if by := r.provided[p]; by != "" {
				return fmt.Errorf("%s: already provided by %s, and %s provides it too", p, by, f.Name)
			}
			r.provided[p] = f.Name
		}
		for _, d := range f.Deps {
			if _, ok := r.neededBy[d]; !ok {
				r.neededBy[d] = f.Name
			}
			queue = append(queue, d)
		}
	}
	for _, n := range names {
		if by := r.provided[n]; by != "" && by != n {
			return fmt.Errorf("%s is asked for but %s already provides it: give only one of them", n, by)
		}
	}
	return nil
}

// member returns the flavour a dependency name stands for in the set.
func (r *resolver) member(name string) *Flavour {
	if by := r.provided[name]; by != "" {
		return r.found[by]
	}
	if f := r.found[name]; f != nil && r.provided[name] == "" {
		return f
	}
	return nil
}

// order lists the set depth first from names, every flavour after its
// dependencies. A cycle of flavours only is an error.
func (r *resolver) order(names []string) ([]*Flavour, error) {
	r.state = map[string]int{}
	for _, n := range names {
		if err := r.visit(r.member(n), nil); err != nil {
			return nil, err
		}
	}
	// Members reached only through a provided name's other users.
	for _, n := range r.seen {
		if err := r.visit(r.member(n), nil); err != nil {
			return nil, err
		}
	}
	return r.ordered, nil
}

func (r *resolver) visit(f *Flavour, chain []*Flavour) error {
	if f == nil {
		return nil
	}
	switch r.state[f.Name] {
	case 2:
		return nil
	case 1:
		i := slices.Index(chain, f)
		cycle := append(slices.Clone(chain[i:]), f)
		if slices.ContainsFunc(cycle, func(c *Flavour) bool { return c.DIB }) {
			return nil // DIB allows element cycles: the order is then its own
		}
		var names []string
		for _, c := range cycle {
			names = append(names, c.Name)
		}
		return fmt.Errorf("flavour dependency cycle: %s", strings.Join(names, " -> "))
	}
	r.state[f.Name] = 1
	for _, d := range f.Deps {
		if err := r.visit(r.member(d), append(chain, f)); err != nil {
			return err
		}
	}
	r.state[f.Name] = 2
	r.ordered = append(r.ordered, f)
	return nil
}
