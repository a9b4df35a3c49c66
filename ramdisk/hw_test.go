package ramdisk_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/integration/qemu"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
)

// hwReport is the part of the hwdiscovery JSON the test reads.
type hwReport struct {
	CPUs struct {
		Count int `json:"count"`
	} `json:"cpus"`
	Memory struct {
		TotalMiB int `json:"total_mib"`
	} `json:"memory"`
	NICs []struct {
		Name string `json:"name"`
		MAC  string `json:"mac"`
		Boot bool   `json:"boot"`
	} `json:"nics"`
	Disks []struct {
		Name      string `json:"name"`
		SizeBytes int64  `json:"size_bytes"`
	} `json:"disks"`
}

var hwJSON = regexp.MustCompile(`--- BEGIN HARDWARE DISCOVERY JSON ---\r?\n(.*)\r?\n--- END HARDWARE DISCOVERY JSON ---`)

func TestHwdiscoveryReportsTheNICMACAndDiskSizeAndHwburninPassesAHealthyMachine(t *testing.T) {
	t.Parallel()
	needBuild(t)
	testenv.RequireCommands(t, qemu.DefaultBinary, "socat")
	res := buildOnce(t, "hw", ramdisk.Spec{Flavours: []string{"hwdiscovery", "hwburnin"}})

	disk := filepath.Join(t.TempDir(), "node.raw")
	require.NoError(t, os.WriteFile(disk, nil, 0o644))
	require.NoError(t, os.Truncate(disk, 48<<20))
	bs := startBootServer(t)
	const mac = "52:54:00:d1:b0:01"
	vm := bootRamdisk(t, res, qemu.WithDisk(disk, "raw"), qemu.WithMAC(mac), qemu.WithSMP(2), bs.Fwd,
		qemu.WithAppend("boot_server="+bs.GuestAddr, "burnin_duration=5", "burnin_memory=16"))

	m, err := vm.ExpectRE(hwJSON, bootTimeout)
	require.NoError(t, err)
	var hw hwReport
	require.NoError(t, json.Unmarshal([]byte(m[1]), &hw), "the console JSON parses: %s", m[1])
	assert.Equal(t, 2, hw.CPUs.Count)
	assert.Greater(t, hw.Memory.TotalMiB, 500)
	require.Len(t, hw.NICs, 1)
	assert.Equal(t, mac, hw.NICs[0].MAC)
	assert.True(t, hw.NICs[0].Boot)
	require.Len(t, hw.Disks, 1)
	assert.Equal(t, "vda", hw.Disks[0].Name)
	assert.Equal(t, int64(48<<20), hw.Disks[0].SizeBytes)

	p := bs.next(t, time.Minute)
	assert.Equal(t, "/hwdiscovery", p.Path)
	assert.JSONEq(t, m[1], p.Body, "the boot server gets the JSON shown on the console")

	require.NoError(t, vm.Expect("BURNIN memory: PASS", 2*time.Minute))
	require.NoError(t, vm.Expect("BURNIN disk vda: PASS", 2*time.Minute))
	require.NoError(t, vm.Expect("BURNIN RESULT: PASS", time.Minute))
	p = bs.next(t, time.Minute)
	assert.Equal(t, "/hwburnin", p.Path)
	assert.Equal(t, "memory PASS\ndisk vda PASS\n", p.Body)
	require.NoError(t, vm.Wait(time.Minute))
}
