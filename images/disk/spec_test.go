package disk

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZeroSpecIsValid(t *testing.T) {
	t.Parallel()
	require.NoError(t, Spec{}.Validate())
	assert.Equal(t, DefaultLabel, Spec{}.label())
	assert.Equal(t, DefaultESPSizeMiB, Spec{}.espSizeMiB())
}

func TestSpecRejectsWhatWouldBreakTheImage(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		spec Spec
		msg  string
	}{
		"negative size":          {Spec{Size: -1}, "negative size"},
		"tiny ESP":               {Spec{ESPSizeMiB: 16}, "ESP size 16 MiB"},
		"long label":             {Spec{Label: "a-label-of-17-chr"}, "root label"},
		"argument with space":    {Spec{ExtraCmdline: []string{"quiet splash"}}, `"quiet splash"`},
		"argument with quote":    {Spec{ExtraCmdline: []string{`a="b"`}}, "kernel argument"},
		"argument with variable": {Spec{ExtraCmdline: []string{"init=$x"}}, "kernel argument"},
		"empty argument":         {Spec{ExtraCmdline: []string{""}}, "kernel argument"},
	} {
		assert.ErrorContains(t, c.spec.Validate(), c.msg, name)
	}
	assert.NoError(t, Spec{ExtraCmdline: []string{"net.ifnames=0", "console=ttyS1,9600", "systemd.unit=rescue.target"}}.Validate())
}

func TestTheSameSeedGivesTheSameIDsAndNoSeedRandomOnes(t *testing.T) {
	t.Parallel()
	a, b := NewIDs("seed"), NewIDs("seed")
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, NewIDs("other seed"))
	assert.NotEqual(t, NewIDs(""), NewIDs(""))
	for _, id := range []string{a.Disk, a.BIOSBoot, a.ESP, a.Root, a.RootFS, a.HashSeed} {
		_, err := uuid.Parse(id)
		assert.NoError(t, err, id)
	}
	assert.Len(t, map[string]bool{a.Disk: true, a.BIOSBoot: true, a.ESP: true, a.Root: true, a.RootFS: true, a.HashSeed: true}, 6)
	assert.Empty(t, NewIDs("").HashSeed, "mkfs chooses its own hash seed without a seed")
}

func TestESPUUIDIsTheSerialAsBlkidShowsIt(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "ABCD-0012", IDs{ESPSerial: 0xabcd0012}.ESPUUID())
}
