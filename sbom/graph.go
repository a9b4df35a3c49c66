package sbom

import (
	"slices"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// dependencies is the graph: the image contains its operating system,
// which holds every package, and each package depends on the installed
// packages its Pre-Depends and Depends name (the first installed one of
// alternatives; a virtual package through the package that provides it).
func (b BOM) dependencies() *[]cdx.Dependency {
	pkgs := sortedPackages(b.Packages)
	refs := make([]string, len(pkgs)) // each package's bom-ref, its purl
	ref := map[string]string{}        // name, name:arch and provided names to bom-ref
	for i, p := range pkgs {
		refs[i] = DebPURLOf(b, p)
		ref[p.Name+":"+p.Arch] = refs[i]
		if _, ok := ref[p.Name]; !ok {
			ref[p.Name] = refs[i]
		}
	}
	for i, p := range pkgs {
		for _, v := range p.Provides {
			if _, ok := ref[v]; !ok {
				ref[v] = refs[i]
			}
		}
	}
	var deps []cdx.Dependency
	if b.OSName != "" {
		all := slices.Clone(refs)
		deps = append(deps, cdx.Dependency{Ref: imageRef, Dependencies: &[]string{osRef}},
			cdx.Dependency{Ref: osRef, Dependencies: &all})
	}
	for i, p := range pkgs {
		self := refs[i]
		var on []string
		for _, group := range p.Depends {
			for _, alt := range strings.Split(group, "|") {
				n := depName(alt)
				r, ok := ref[n+":"+p.Arch]
				if !ok {
					r, ok = ref[n]
				}
				if ok {
					if r != self && !slices.Contains(on, r) {
						on = append(on, r)
					}
					break
				}
			}
		}
		slices.Sort(on)
		d := cdx.Dependency{Ref: self}
		if len(on) > 0 {
			d.Dependencies = &on
		}
		deps = append(deps, d)
	}
	if len(deps) == 0 {
		return nil
	}
	return &deps
}
