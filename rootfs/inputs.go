package rootfs

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/redact"
)

// Inputs lists everything that shapes the tree a build of p makes, one
// "kind name value" line each, sorted: the base (its cache key, and the
// cached tarball's size and time when it exists), the -p packages, the
// caller's variables that reach the hooks, and every file of every
// flavour with its mode and hash. Recipes compare it to skip unchanged
// builds; the root cache is keyed by it (see Fingerprint).
func (p *Plan) Inputs() ([]string, error) {
	s, base := p.Spec, p.Base()
	lines := []string{"base key " + base.Key(), "spec packages " + strings.Join(s.Packages, ","),
		fmt.Sprintf("spec elements install-type %s offline %t", s.InstallType, s.Offline)}
	if fi, err := os.Stat(base.Path()); err == nil {
		lines = append(lines, fmt.Sprintf("base tarball %d %d", fi.Size(), fi.ModTime().UnixNano()))
	}
	for _, kv := range s.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && ReachesHooks(k) {
			lines = append(lines, "env "+k+" "+redact.Value(k, v))
		}
	}
	for _, f := range p.Flavours.Flavours {
		err := fs.WalkDir(f.FS(), ".", func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := fs.ReadFile(f.FS(), path)
			if err != nil {
				return fmt.Errorf("read %s/%s: %w", f.Dir, path, err)
			}
			info, err := d.Info()
			if err != nil {
				return fmt.Errorf("stat %s/%s: %w", f.Dir, path, err)
			}
			sum := sha256.Sum256(data)
			lines = append(lines, fmt.Sprintf("file %s/%s %v %s", f.Name, path, info.Mode(), hex.EncodeToString(sum[:])))
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("inputs of flavour %s: %w", f.Name, err)
		}
	}
	sort.Strings(lines)
	return lines, nil
}
