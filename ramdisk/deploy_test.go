package ramdisk_test

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

func TestTheDeployRamdiskExportsTheDiskOverISCSIAndRebootsAfterDone(t *testing.T) {
	t.Parallel()
	needBuild(t)
	testenv.RequireCommands(t, qemu.DefaultBinary, "qemu-io", "socat")
	res := buildOnce(t, "deploy", ramdisk.Spec{Flavours: []string{"deploy"}})
	checkDeploy(t, res)
}

// checkDeploy boots the deploy ramdisk res on a node with a disk and plays
// the deploy server: the ramdisk posts its iSCSI target, exports the disk,
// takes "done" and reboots.
func checkDeploy(t *testing.T, res *ramdisk.Result) {
	disk := filepath.Join(t.TempDir(), "node.raw")
	require.NoError(t, os.WriteFile(disk, bytes.Repeat([]byte{0xa5}, 512), 0o644))
	require.NoError(t, os.Truncate(disk, 64<<20))
	iscsiPort, err := qemu.FreePort()
	require.NoError(t, err)
	donePort, err := qemu.FreePort()
	require.NoError(t, err)
	bs := startBootServer(t)
	const iqn = "iqn.2026-11.org.example.dib:node-1"
	vm := bootRamdisk(t, res, qemu.WithDisk(disk, "raw"),
		qemu.WithUserNet(qemu.TCPFwd(iscsiPort, 3260), qemu.TCPFwd(donePort, 10000)), bs.Fwd,
		qemu.WithAppend("boot_server="+bs.GuestAddr, "iscsi_target_iqn="+iqn, "deployment_id=d-42", "deployment_key=s3cret"))

	p := bs.next(t, bootTimeout)
	assert.Equal(t, "/", p.Path)
	form, err := url.ParseQuery(p.Body)
	require.NoError(t, err)
	assert.Equal(t, iqn, form.Get("n"), "the target to write")
	assert.Equal(t, "d-42", form.Get("i"))
	assert.Equal(t, "s3cret", form.Get("k"))
	assert.Equal(t, "10.0.2.15", form.Get("a"))
	assert.Equal(t, "3260", form.Get("p"))
	assert.Equal(t, "/dev/vda", form.Get("d"))

	target := "iscsi://127.0.0.1:" + itoa(iscsiPort) + "/" + iqn + "/1"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := run.Output(ctx, "qemu-io", "-f", "raw", "-c", "read -P 0xa5 0 512", target)
	require.NoError(t, err)
	assert.Contains(t, out, "read 512/512 bytes at offset 0")
	assert.NotContains(t, out, "Pattern verification failed", "the first sector is the node's")
	out, err = run.Output(ctx, "qemu-io", "-f", "raw", "-c", "write -P 0x5a 512 512", target)
	require.NoError(t, err)
	assert.Contains(t, out, "wrote 512/512 bytes at offset 512")

	require.NoError(t, vm.Expect(`waiting for "done" on port 10000`, time.Minute))
	deadline := time.Now().Add(2 * time.Minute)
	for !sendDone(donePort) {
		require.True(t, time.Now().Before(deadline), "the ramdisk never took the done message")
		time.Sleep(2 * time.Second)
	}
	require.NoError(t, vm.Expect("deploy: DEPLOY COMPLETE", time.Minute))
	require.NoError(t, vm.Wait(time.Minute), "the ramdisk reboots after done, which ends QEMU")

	data, err := os.ReadFile(disk)
	require.NoError(t, err)
	assert.Equal(t, bytes.Repeat([]byte{0x5a}, 512), data[512:1024], "what the server wrote over iSCSI is on the disk")
}
