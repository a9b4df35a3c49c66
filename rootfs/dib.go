package rootfs

import (
	"slices"

	"github.com/tripleo/diskimage-builder/elements"
	"github.com/tripleo/diskimage-builder/flavours"
)

// baseElement is what the original diskimage-builder adds to every build
// unless -n (Spec.SkipBase) says not to.
const baseElement = "base"

// resolve finds the flavours and elements of s. A set with elements of the
// original diskimage-builder gets its base element too, unless SkipBase,
// and its package-installs files are read.
func resolve(s Spec) (*Plan, error) {
	look := elements.Lookup{Path: s.ElementsPath}
	if err := look.Check(); err != nil {
		return nil, err
	}
	opts := flavours.Options{FlavoursPath: s.FlavoursPath, Elements: look}
	set, err := flavours.ResolveWith(s.Flavours, opts)
	if err != nil {
		return nil, err
	}
	if set.DIB() && !s.SkipBase && !set.Has(baseElement) && !slices.Contains(s.Flavours, baseElement) {
		if set, err = flavours.ResolveWith(append([]string{baseElement}, s.Flavours...), opts); err != nil {
			return nil, err
		}
	}
	p := &Plan{Spec: s, Flavours: set}
	if set.DIB() {
		if p.PackageInstalls, err = elements.PackageInstalls(set); err != nil {
			return nil, err
		}
	}
	return p, nil
}
