package modules_test

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
	"github.com/tripleo/diskimage-builder/ramdisk/modules"
)

const kver = "6.1.0-test-amd64"

// modDir is where the fake tree keeps its modules: merged-/usr, reached
// through an absolute /lib symlink.
const modDir = "/usr/lib/modules/" + kver

var fakeDep = `kernel/drivers/virtio/virtio.ko.xz:
kernel/drivers/virtio/virtio_ring.ko.xz:
kernel/drivers/block/virtio_blk.ko.xz: kernel/drivers/virtio/virtio_ring.ko.xz kernel/drivers/virtio/virtio.ko.xz
kernel/drivers/net/ethernet/intel/e1000/e1000.ko.xz:
kernel/drivers/net/ethernet/mellanox/mlxfw/mlxfw.ko.zst:
kernel/drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko.zst: kernel/drivers/net/ethernet/mellanox/mlxfw/mlxfw.ko.zst
kernel/fs/jbd2/jbd2.ko:
kernel/fs/mbcache.ko:
kernel/fs/ext4/ext4.ko: kernel/fs/jbd2/jbd2.ko kernel/fs/mbcache.ko
kernel/crypto/crc32c_generic.ko:
kernel/drivers/scsi/virtio_scsi.ko.xz: kernel/drivers/virtio/virtio_ring.ko.xz
`

func put(t *testing.T, root, p, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(root, path.Dir(p)), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(content), 0o644))
}

func fakeTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	put(t, root, modDir+"/modules.dep", fakeDep)
	for _, line := range strings.Split(strings.TrimSpace(fakeDep), "\n") {
		mod, _, _ := strings.Cut(line, ":")
		put(t, root, modDir+"/"+mod, "module "+mod)
	}
	put(t, root, modDir+"/modules.builtin", "kernel/drivers/ata/libata.ko\nkernel/drivers/nvme/host/nvme-core.ko\n")
	put(t, root, modDir+"/modules.softdep", "# soft dependencies\nsoftdep ext4 pre: crc32c_generic crc32c\n")
	put(t, root, modDir+"/modules.alias", "alias virtio:d00000002v* virtio_blk\n")
	put(t, root, modDir+"/modules.dep.bin", "bin")
	require.NoError(t, os.Symlink("/usr/lib", filepath.Join(root, "lib")))
	return root
}

func before(t *testing.T, list []string, first, second string) {
	t.Helper()
	i, j := slices.Index(list, modDir+"/"+first), slices.Index(list, modDir+"/"+second)
	require.NotEqual(t, -1, i, "%s in %v", first, list)
	require.NotEqual(t, -1, j, "%s in %v", second, list)
	assert.Less(t, i, j, "%s comes before %s", first, second)
}

func TestClosureOfANamedModuleHasItsDependenciesFirst(t *testing.T) {
	t.Parallel()
	set, err := modules.Closure(fakeTree(t), kver, modules.Want{Names: []string{"virtio-blk"}})
	require.NoError(t, err)
	assert.Equal(t, modDir, set.Dir)
	assert.Equal(t, []string{"/lib"}, set.Links)
	assert.Len(t, set.Modules, 3)
	before(t, set.Modules, "kernel/drivers/virtio/virtio.ko.xz", "kernel/drivers/block/virtio_blk.ko.xz")
	before(t, set.Modules, "kernel/drivers/virtio/virtio_ring.ko.xz", "kernel/drivers/block/virtio_blk.ko.xz")
	assert.Equal(t, []string{modDir + "/modules.alias", modDir + "/modules.builtin", modDir + "/modules.dep",
		modDir + "/modules.dep.bin", modDir + "/modules.softdep"}, set.Metadata)
}

func TestClosureTakesEveryModuleBelowAWantedDirectory(t *testing.T) {
	t.Parallel()
	set, err := modules.Closure(fakeTree(t), kver, modules.Want{Dirs: []string{"drivers/net/ethernet", "drivers/virt*", "drivers/nvme"}})
	require.NoError(t, err)
	var names []string
	for _, m := range set.Modules {
		names = append(names, modules.Name(m))
	}
	slices.Sort(names)
	assert.Equal(t, []string{"e1000", "mlx5_core", "mlxfw", "virtio", "virtio_ring"}, names)
	before(t, set.Modules, "kernel/drivers/net/ethernet/mellanox/mlxfw/mlxfw.ko.zst", "kernel/drivers/net/ethernet/mellanox/mlx5/core/mlx5_core.ko.zst")
}

func TestClosureBringsSoftDependenciesThatExist(t *testing.T) {
	t.Parallel()
	set, err := modules.Closure(fakeTree(t), kver, modules.Want{Names: []string{"ext4"}})
	require.NoError(t, err)
	assert.Len(t, set.Modules, 4)
	before(t, set.Modules, "kernel/crypto/crc32c_generic.ko", "kernel/fs/ext4/ext4.ko")
	before(t, set.Modules, "kernel/fs/jbd2/jbd2.ko", "kernel/fs/ext4/ext4.ko")
}

func TestClosureAcceptsBuiltinModulesAndNamesMissingOnes(t *testing.T) {
	t.Parallel()
	root := fakeTree(t)
	set, err := modules.Closure(root, kver, modules.Want{Names: []string{"libata", "nvme-core"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"libata", "nvme_core"}, set.Builtin)
	assert.Empty(t, set.Modules)

	_, err = modules.Closure(root, kver, modules.Want{Names: []string{"e1000", "no-such-driver"}})
	assert.ErrorIs(t, err, modules.ErrNotFound)
	assert.ErrorContains(t, err, "no_such_driver")
}

func TestClosureOfAllTakesEveryModule(t *testing.T) {
	t.Parallel()
	set, err := modules.Closure(fakeTree(t), kver, modules.Want{All: true})
	require.NoError(t, err)
	assert.Len(t, set.Modules, 11)
}

func TestClosureOfAnUnknownKernelFails(t *testing.T) {
	t.Parallel()
	_, err := modules.Closure(fakeTree(t), "5.0.0", modules.Want{All: true})
	assert.ErrorContains(t, err, "5.0.0")
}

func TestASetCopiedIntoAnArchiveKeepsTheLibLink(t *testing.T) {
	t.Parallel()
	root := fakeTree(t)
	set, err := modules.Closure(root, kver, modules.Want{Names: []string{"virtio_scsi"}})
	require.NoError(t, err)
	a := initramfs.New()
	require.NoError(t, a.AddTree(root, set.Files()...))
	var buf strings.Builder
	require.NoError(t, a.WriteCPIO(&writer{&buf}, 0))
	ar, err := archivetest.Read(strings.NewReader(buf.String()))
	require.NoError(t, err)
	assert.NoError(t, ar.Validate(
		archivetest.HasSymlink{Path: "/lib", Target: "/usr/lib"},
		archivetest.HasContent{Path: modDir + "/kernel/drivers/scsi/virtio_scsi.ko.xz", Content: "module kernel/drivers/scsi/virtio_scsi.ko.xz"},
		archivetest.HasFile{Path: modDir + "/kernel/drivers/virtio/virtio_ring.ko.xz"},
		archivetest.MissingFile{Path: modDir + "/kernel/drivers/virtio/virtio.ko.xz"},
		archivetest.HasFile{Path: modDir + "/modules.dep"},
	))
}

type writer struct{ b *strings.Builder }

func (w *writer) Write(p []byte) (int, error) { return w.b.Write(p) }

func TestNameStripsSuffixesAndNormalisesDashes(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "nvme_core", modules.Name("kernel/drivers/nvme/host/nvme-core.ko.zst"))
	assert.Equal(t, "e1000", modules.Name("e1000.ko"))
}
