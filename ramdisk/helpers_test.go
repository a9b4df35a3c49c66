package ramdisk_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// fakeKernel is the kernel version of fakeModuleRoot.
const fakeKernel = "6.1.0-99-amd64"

// write puts content at p below root, making parents; a trailing "*" on p
// makes the file executable.
func write(t *testing.T, root, p, content string) {
	t.Helper()
	mode := os.FileMode(0o644)
	if strings.HasSuffix(p, "*") {
		p, mode = strings.TrimSuffix(p, "*"), 0o755
	}
	full := filepath.Join(root, p)
	require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
	require.NoError(t, os.WriteFile(full, []byte(content), mode))
}

// fakeModuleRoot makes a module root as dpkg -x of a kernel package lays it
// out: boot/vmlinuz-KVER, lib/modules/KVER with a modules.dep, a few
// module files, and a firmware file.
func fakeModuleRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	mods := "lib/modules/" + fakeKernel + "/"
	write(t, root, "boot/vmlinuz-"+fakeKernel, "not really a kernel\n")
	write(t, root, mods+"modules.dep", strings.Join([]string{
		"kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko",
		"kernel/drivers/net/net_failover.ko: kernel/net/core/failover.ko",
		"kernel/net/core/failover.ko:",
		"kernel/drivers/block/virtio_blk.ko:",
		"kernel/drivers/net/ethernet/intel/e1000/e1000.ko:",
		"kernel/drivers/gpu/drm/tiny/bochs.ko:",
		"kernel/drivers/net/wireless/dummy_wifi.ko:",
		"kernel/drivers/misc/dib_extra.ko: kernel/lib/dib_helper.ko",
		"kernel/lib/dib_helper.ko:",
	}, "\n")+"\n")
	write(t, root, mods+"modules.builtin", "kernel/drivers/virtio/virtio.ko\n")
	for _, m := range []string{"drivers/net/virtio_net", "drivers/net/net_failover", "net/core/failover",
		"drivers/block/virtio_blk", "drivers/net/ethernet/intel/e1000/e1000", "drivers/gpu/drm/tiny/bochs",
		"drivers/net/wireless/dummy_wifi", "drivers/misc/dib_extra", "lib/dib_helper"} {
		write(t, root, mods+"kernel/"+m+".ko", "module "+m+"\n")
	}
	write(t, root, "lib/firmware/dib/test.fw", "firmware\n")
	return root
}

// testFlavours makes a flavour directory with two ramdisk flavours: "outer"
// depends on "inner"; their files exercise every ramdisk list.
func testFlavours(t *testing.T, extra map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"inner/README.md":                    "inner\n",
		"inner/binary-deps":                  "# a comment\nfindmnt\n",
		"inner/init":                         "echo inner-fragment\n",
		"inner/kernel-modules":               "dib_extra\n",
		"inner/firmware":                     "dib/test.fw\n",
		"inner/udev/70-dib.rules":            "# a rule\n",
		"outer/README.md":                    "outer\n",
		"outer/flavour-deps":                 "inner\n",
		"outer/init":                         "echo outer-fragment\n",
		"outer/install.d/10-never-run-here*": "#!/bin/sh\nexit 1\n",
	}
	for p, c := range extra {
		files[p] = c
	}
	for p, c := range files {
		write(t, dir, p, c)
	}
	return dir
}
