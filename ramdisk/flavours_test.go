package ramdisk_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initscript"
)

func TestTheInitOfEveryRamdiskFlavourIsValidShell(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "busybox")
	names := []string{"deploy", "hwdiscovery", "hwburnin", "mellanox"}
	set, err := flavours.Resolve(append([]string{ramdisk.BaseFlavour}, names...), nil)
	require.NoError(t, err)
	var frags []initscript.Fragment
	for _, f := range set.Flavours {
		body, err := fs.ReadFile(f.FS(), ramdisk.InitFile)
		if err == nil {
			frags = append(frags, initscript.Fragment{Flavour: f.Name, Body: body})
		}
	}
	assert.Len(t, frags, len(names))
	script := filepath.Join(t.TempDir(), "init")
	require.NoError(t, os.WriteFile(script, initscript.Assemble(frags), 0o755))
	_, err = run.Run(context.Background(), run.Cmd{Argv: []string{"busybox", "sh", "-n", script}})
	assert.NoError(t, err)
}

func TestTheKernelOfARootIsTheNewestWithBothModulesAndVmlinuz(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, p := range []string{"boot/vmlinuz-6.1.0-9-amd64", "boot/vmlinuz-6.12.1-amd64", "boot/vmlinuz-6.2.0-1-amd64",
		"usr/lib/modules/6.1.0-9-amd64/modules.dep", "usr/lib/modules/6.12.1-amd64/modules.dep",
		"usr/lib/modules/6.99.0-no-kernel/modules.dep"} {
		write(t, root, p, "")
	}
	require.NoError(t, os.Symlink("usr/lib", filepath.Join(root, "lib")))
	kver, err := ramdisk.KernelVersion(root)
	require.NoError(t, err)
	assert.Equal(t, "6.12.1-amd64", kver, "6.12 is newer than 6.2 and 6.1; 6.99 has no kernel")

	_, err = ramdisk.KernelVersion(t.TempDir())
	assert.ErrorContains(t, err, "find the kernel in")
}
