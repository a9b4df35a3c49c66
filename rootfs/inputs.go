package rootfs

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/epoch"
	"github.com/tripleo/diskimage-builder/internal/sys/redact"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
)

// Inputs lists everything that shapes the tree a build of p makes, one
// "kind name value" line each, sorted: the base (its cache key, and the
// cached tarball's sha256 when it is there), the image's name (its last
// element, which hooks see as IMAGE_NAME), the -p packages, the
// SOURCE_DATE_EPOCH asked for, the caller's variables that reach the hooks
// (but those that say where and how the build runs, see runSettings), and
// every file of every flavour with its mode and hash. Nothing in it depends
// on where or when the build runs. Recipes compare it to skip unchanged
// builds; the root cache and the image's identifiers are keyed by it (see
// Fingerprint).
func (p *Plan) Inputs() ([]string, error) {
	s, base := p.Spec, p.Base()
	lines := []string{"base key " + base.Key(), "spec name " + baseName(s.Name),
		"spec packages " + strings.Join(s.Packages, ","),
		fmt.Sprintf("spec elements install-type %s offline %t", s.InstallType, s.Offline)}
	if bootstrap.Sealed(base.Path()) {
		if st, err := bootstrap.ReadStamp(base.Path()); err == nil {
			lines = append(lines, "base sha256 "+st.SHA256)
		}
		if st, err := bootstrap.ArchiveState(base.Path()); err == nil {
			lines = append(lines, st.Lines()...)
		}
	}
	if !s.SourceDateEpoch.IsZero() {
		lines = append(lines, "spec epoch "+epoch.Format(s.SourceDateEpoch))
	}
	for _, kv := range s.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && ReachesHooks(k) && !slices.Contains(runSettings, k) {
			lines = append(lines, "env "+k+" "+redact.Value(k, v))
		}
	}
	for _, f := range p.Flavours.Flavours {
		sums, err := f.Sums()
		if err != nil {
			return nil, fmt.Errorf("inputs: %w", err)
		}
		for _, sum := range sums {
			lines = append(lines, "file "+f.Name+"/"+sum.String())
		}
	}
	sort.Strings(lines)
	return lines, nil
}
