package elements

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"go.yaml.in/yaml/v3"

	"github.com/tripleo/diskimage-builder/flavours"
)

// maxPackageFile bounds what a package-installs file may hold.
const maxPackageFile = 1 << 20

// packagePhases are the phases a package-installs entry may name.
var packagePhases = map[string]bool{"pre-install.d": true, "install.d": true, "post-install.d": true}

// SquashedFile is where the build writes the elements' package-installs
// entries in the merged hook tree, for the package-installs element.
const SquashedFile = "package-installs.squashed.json"

// PackageEntry is one package of an element's package-installs file with
// its settings as written (nil, a mapping, or a list of mappings).
type PackageEntry struct {
	Element  string
	Package  string
	Settings any
}

// MarshalJSON writes an entry as [element, package, settings].
func (e PackageEntry) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{e.Element, e.Package, e.Settings})
}

// PackageInstalls reads and checks the package-installs.json and .yaml
// files of every element of set, in set order and file order.
func PackageInstalls(set *flavours.Set) ([]PackageEntry, error) {
	var out []PackageEntry
	for _, f := range set.Flavours {
		if !f.DIB {
			continue
		}
		for _, name := range []string{"package-installs.json", "package-installs.yaml"} {
			entries, err := readPackages(f, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path.Join(f.Dir, name), err)
			}
			out = append(out, entries...)
		}
	}
	return out, nil
}

func readPackages(f *flavours.Flavour, name string) ([]PackageEntry, error) {
	fi, err := fs.Stat(f.FS(), name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxPackageFile {
		return nil, fmt.Errorf("larger than %d bytes", maxPackageFile)
	}
	data, err := fs.ReadFile(f.FS(), name)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("not YAML or JSON: %w", err)
	}
	if len(doc.Content) == 0 {
		return nil, nil // an empty file
	}
	top := doc.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		return nil, nil
	}
	if top.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("want a mapping of package names to settings")
	}
	var out []PackageEntry
	for i := 0; i+1 < len(top.Content); i += 2 {
		pkg := top.Content[i].Value
		var settings any
		if err := top.Content[i+1].Decode(&settings); err != nil {
			return nil, fmt.Errorf("package %s: %w", pkg, err)
		}
		if err := checkSettings(settings); err != nil {
			return nil, fmt.Errorf("package %s: %w", pkg, err)
		}
		out = append(out, PackageEntry{Element: f.Name, Package: pkg, Settings: settings})
	}
	return out, nil
}

// checkSettings accepts nothing, a mapping, or a list of mappings, each
// with a known phase.
func checkSettings(s any) error {
	switch v := s.(type) {
	case nil:
		return nil
	case map[string]any:
		if p, ok := v["phase"]; ok {
			ps, _ := p.(string)
			if !packagePhases[ps] {
				return fmt.Errorf("phase %v: want pre-install.d, install.d or post-install.d", p)
			}
		}
		return nil
	case []any:
		for _, item := range v {
			if _, ok := item.(map[string]any); !ok && item != nil {
				return fmt.Errorf("want settings as a mapping or a list of mappings")
			}
			if err := checkSettings(item); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("want settings as a mapping or a list of mappings")
}
