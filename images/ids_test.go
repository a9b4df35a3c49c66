package images

import (
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/tripleo/diskimage-builder/images/disk"
)

func TestEveryInputOfTheIdentifiersChangesThemAndNothingElseDoes(t *testing.T) {
	t.Parallel()
	d := disk.Spec{Size: 2 << 30, ESPSizeMiB: 64, Label: "cloudimg-rootfs", ExtraCmdline: []string{"quiet"}, SecureBoot: true}
	ref := identitySeed("fp", d, "")
	same := d
	same.Epoch, same.Stream = time.Unix(1735689600, 0), io.Discard // in the fingerprint, or not an input
	assert.Equal(t, ref, identitySeed("fp", same, ""), "the same inputs, the same seed")
	changed := map[string]string{"fingerprint": identitySeed("fp2", d, ""), "seed": identitySeed("fp", d, "x")}
	for name, change := range map[string]func(*disk.Spec){
		"size":        func(s *disk.Spec) { s.Size++ },
		"esp":         func(s *disk.Spec) { s.ESPSizeMiB++ },
		"label":       func(s *disk.Spec) { s.Label = "other" },
		"cmdline":     func(s *disk.Spec) { s.ExtraCmdline = nil },
		"secure boot": func(s *disk.Spec) { s.SecureBoot = false },
	} {
		c := d
		change(&c)
		changed[name] = identitySeed("fp", c, "")
	}
	seen := map[string]string{ref: "reference"}
	for name, s := range changed {
		assert.NotContains(t, seen, s, "%s gives new identifiers", name)
		seen[s] = name
	}
}
