package ramdisk_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
)

func TestTheDeployRamdiskOfAUserWithoutRootHasFixedOwnersAndDeploys(t *testing.T) {
	t.Parallel()
	needBuild(t)
	testenv.RequireCommands(t, qemu.DefaultBinary, "qemu-io")
	u := testenv.UnprivilegedUser(t)
	bins := testenv.Commands(t)
	name := filepath.Join(u.Dir(t), "deploy")
	cmd := u.Command(context.Background(), nil, filepath.Join(bins, "ramdisk-image-create"), "-o", name, "deploy")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "ramdisk-image-create as %s:\n%s", u.Name, out)
	t.Logf("ramdisk-image-create as %s:\n%s", u.Name, out)

	res := &ramdisk.Result{Kernel: name + ".kernel", Initramfs: name + ".initramfs"}
	a, err := archivetest.ReadFile(res.Initramfs)
	require.NoError(t, err)
	require.NotEmpty(t, a.Entries)
	for _, e := range a.Entries {
		if e.UID != 0 || e.GID != 0 {
			assert.Failf(t, "an entry not owned by root", "%s is %d:%d", e.Name, e.UID, e.GID)
		}
	}
	checkDeploy(t, res)
}
