package hostdeps

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOnlyPackagesDpkgShowsAsInstalledCountAsInstalled(t *testing.T) {
	t.Parallel()
	out := "mtools installed\nqemu-utils config-files\novmf not-installed\nzstd half-installed\nsudo installed\n"
	missing, err := notInstalled([]string{"mtools", "ovmf", "qemu-utils", "sudo", "unknown-to-dpkg", "zstd"}, out)
	require.NoError(t, err)
	assert.Equal(t, []string{"ovmf", "qemu-utils", "unknown-to-dpkg", "zstd"}, missing)
}

func TestEveryPackageIsSaidWhatItIsFor(t *testing.T) {
	t.Parallel()
	for _, n := range Names() {
		assert.NotEmpty(t, Packages[n], n)
	}
	assert.IsNonDecreasing(t, Names())
}
