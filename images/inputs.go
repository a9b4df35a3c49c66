package images

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images/bootstrap"
	"github.com/tripleo/diskimage-builder/internal/redact"
)

// BaseOptions are the options of the base root a build of spec starts
// from: its release, architecture and mirror (defaults applied), and the
// bootstrap-packages of its flavours.
func BaseOptions(spec Spec) (bootstrap.Options, error) {
	s := spec.withDefaults()
	set, err := flavours.Resolve(s.Flavours, s.FlavoursPath)
	if err != nil {
		return bootstrap.Options{}, err
	}
	return baseOptions(s, set), nil
}

func baseOptions(s Spec, set *flavours.Set) bootstrap.Options {
	return bootstrap.Options{Release: s.Release, Arch: s.Arch, Mirror: s.Mirror,
		CacheDir: s.CacheDir, Packages: set.BootstrapPackages()}
}

// Inputs lists everything that shapes the root tree a build of spec
// makes, one "kind name value" line each, sorted: the base (its cache key,
// and the cached tarball's size and time when it exists), the -p packages,
// the caller's variables that reach the hooks, and every file of every
// flavour with its mode and hash. Recipes compare it to skip unchanged
// builds; BuildRoot keys its root cache by it.
func Inputs(spec Spec) ([]string, error) {
	s := spec.withDefaults()
	set, err := flavours.Resolve(s.Flavours, s.FlavoursPath)
	if err != nil {
		return nil, err
	}
	return inputs(s, set)
}

func inputs(s Spec, set *flavours.Set) ([]string, error) {
	base := baseOptions(s, set)
	lines := []string{"base key " + base.Key(), "spec packages " + strings.Join(s.Packages, ",")}
	if fi, err := os.Stat(base.Path()); err == nil {
		lines = append(lines, fmt.Sprintf("base tarball %d %d", fi.Size(), fi.ModTime().UnixNano()))
	}
	for _, kv := range s.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && passThrough(k) {
			lines = append(lines, "env "+k+" "+redact.Value(k, v))
		}
	}
	for _, f := range set.Flavours {
		err := fs.WalkDir(f.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(f.FS(), p)
			if err != nil {
				return fmt.Errorf("read %s/%s: %w", f.Dir, p, err)
			}
			info, err := d.Info()
			if err != nil {
				return fmt.Errorf("stat %s/%s: %w", f.Dir, p, err)
			}
			sum := sha256.Sum256(data)
			lines = append(lines, fmt.Sprintf("file %s/%s %v %s", f.Name, p, info.Mode(), hex.EncodeToString(sum[:])))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("inputs of flavour %s: %w", f.Name, err)
		}
	}
	sort.Strings(lines)
	return lines, nil
}
