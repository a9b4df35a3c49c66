package disk

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLayoutPlacesBIOSBootESPAndRootOnMiBBoundariesInDiskOrder(t *testing.T) {
	t.Parallel()
	l := layoutFor(1024*MiB, 64*MiB)
	require.Len(t, l.Partitions, 3)
	bios, esp, root := l.Partitions[0], l.Partitions[1], l.Partitions[2]
	assert.Equal(t, Partition{Index: 1, Role: BIOSBoot, Name: "BSP", Type: TypeBIOSBoot, Start: 1 * MiB, Size: 1 * MiB}, bios)
	assert.Equal(t, Partition{Index: 2, Role: ESP, Name: "ESP", Type: TypeESP, Start: 2 * MiB, Size: 64 * MiB}, esp)
	assert.Equal(t, Partition{Index: 3, Role: Root, Name: "root", Type: TypeLinux, Start: 66 * MiB, Size: 957 * MiB}, root)
	assert.Equal(t, l.Size-tailSize, root.End(), "the last MiB is left for the backup GPT")
	for _, p := range l.Partitions {
		assert.Zero(t, p.Start%MiB, p.Name)
		assert.Zero(t, p.Size%MiB, p.Name)
	}
	got, ok := l.Partition(ESP)
	assert.True(t, ok)
	assert.Equal(t, esp, got)
}

func TestAutomaticSizeHasThirtyPercentAndSlackOverTheContent(t *testing.T) {
	t.Parallel()
	u := Usage{Bytes: 400 * MiB, Inodes: 14000}
	size, err := sizeFor(u, Spec{})
	require.NoError(t, err)
	root := size - fixedSize(DefaultESPSizeMiB*MiB)
	assert.Equal(t, roundUp(400*MiB*13/10+autoSlack, MiB), root)
	assert.Zero(t, size%MiB)
	assert.GreaterOrEqual(t, root, rootMin(u))
}

func TestMinimumRootLeavesRoomForJournalInodesAndSlack(t *testing.T) {
	t.Parallel()
	u := Usage{Bytes: 400 * MiB, Inodes: 14000}
	min := rootMin(u)
	assert.GreaterOrEqual(t, min, rootNeed(u, min))
	assert.Less(t, min, u.Bytes*13/10, "the minimum is well below the automatic size")
	assert.Zero(t, min%MiB)
}

func TestManyInodesRaiseTheMinimumSize(t *testing.T) {
	t.Parallel()
	few := rootMin(Usage{Bytes: 100 * MiB, Inodes: 1000})
	many := rootMin(Usage{Bytes: 100 * MiB, Inodes: 500000})
	assert.Greater(t, many, few+100*MiB, "500000 inodes of 256 bytes take over 100 MiB")
}

func TestSizeBelowTheMinimumIsErrTooSmallNamingBothSizes(t *testing.T) {
	t.Parallel()
	u := Usage{Bytes: 400 * MiB, Inodes: 14000}
	_, err := sizeFor(u, Spec{Size: 300 * MiB})
	require.ErrorIs(t, err, ErrTooSmall)
	assert.Contains(t, err.Error(), "300 MiB")
	min := fixedSize(DefaultESPSizeMiB*MiB) + rootMin(u)
	assert.Contains(t, err.Error(), itoa(min/MiB)+" MiB")

	size, err := sizeFor(u, Spec{Size: min})
	require.NoError(t, err, "the minimum itself fits")
	assert.Equal(t, min, size)
}

func TestExplicitSizeIsRoundedUpToAWholeMiB(t *testing.T) {
	t.Parallel()
	size, err := sizeFor(Usage{Bytes: MiB, Inodes: 10}, Spec{Size: 5_000_000_000})
	require.NoError(t, err)
	assert.Equal(t, roundUp(5_000_000_000, MiB), size)
}

func TestJournalSizeFollowsE2fsprogsDefaults(t *testing.T) {
	t.Parallel()
	assert.Equal(t, int64(16*MiB), journalSize(900*MiB))
	assert.Equal(t, int64(64*MiB), journalSize(8<<30))
	assert.Equal(t, int64(1<<30), journalSize(1<<40))
}
