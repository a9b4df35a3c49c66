package ramdisk_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
	rarchive "github.com/tripleo/diskimage-builder/rootfs/archive"
	rarchivetest "github.com/tripleo/diskimage-builder/rootfs/archive/archivetest"
	"github.com/tripleo/diskimage-builder/rootfs/bootstrap"
	"github.com/tripleo/diskimage-builder/sbom"
	"github.com/tripleo/diskimage-builder/sbom/sbomtest"
)

// TestTwoBuildsOfARamdiskAreTheSameBytesAndItsBillOfMaterialsNamesItsFiles
// builds the test ramdisk again in another directory, running every hook
// again (no root cache): its kernel, initramfs and bill of materials are
// the same bytes as the first build's. The bill of materials validates and
// lists the programs, libraries, modules and kernel with their packages.
func TestTwoBuildsOfARamdiskAreTheSameBytesAndItsBillOfMaterialsNamesItsFiles(t *testing.T) {
	needBuild(t)
	testenv.RequireCommands(t, "go")
	spec := ramdisk.Spec{Flavours: []string{"ramdisk-test"}, FlavoursPath: []string{testFlavoursDir(t)}}
	first := buildOnce(t, "test", spec)
	spec.Name, spec.CacheDir, spec.TmpDir = filepath.Join(t.TempDir(), "test"), testenv.CacheDir(), t.TempDir()
	spec.NoRootCache = true
	var log strings.Builder
	spec.Log = &log
	buildLock.Lock()
	second, err := ramdisk.Build(context.Background(), spec)
	buildLock.Unlock()
	require.NoError(t, err, log.String())
	require.NotNil(t, second.Root)
	assert.False(t, second.Root.Cached, "the hooks ran again")
	for _, p := range [][2]string{{first.Kernel, second.Kernel}, {first.Initramfs, second.Initramfs}, {first.SBOM, second.SBOM}} {
		a, err := os.ReadFile(p[0])
		require.NoError(t, err)
		b, err := os.ReadFile(p[1])
		require.NoError(t, err)
		assert.True(t, bytes.Equal(a, b), "%s and %s are the same bytes", p[0], p[1])
	}
	// Every entry has the root's epoch: the base's release date, not the clock.
	require.False(t, first.Epoch.IsZero())
	assert.Equal(t, second.Root.Epoch, first.Epoch)
	arc, err := archivetest.ReadFile(first.Initramfs)
	require.NoError(t, err)
	for _, e := range arc.Entries {
		assert.Equal(t, uint32(first.Epoch.Unix()), e.MTime, "%s is dated by the epoch", e.Name)
	}

	// Patched: every package the ramdisk holds files of is at the newest
	// version the release, -updates and -security offered.
	srcs, err := rarchive.Config{Release: "trixie", Mirror: bootstrap.HostMirror()}.Sources()
	require.NoError(t, err)
	n := rarchivetest.RequireCurrent(t, first.SBOM, srcs, "amd64", testenv.CacheDir())
	assert.Greater(t, n, 5, "packages checked against the archive")

	doc, err := os.ReadFile(first.SBOM)
	require.NoError(t, err)
	require.NoError(t, sbomtest.Validate(context.Background(), doc))
	d, err := sbomtest.Read(doc)
	require.NoError(t, err)
	owner, kind := map[string]string{}, map[string]string{}
	outputs := map[string]string{}
	for _, c := range d.Components {
		if c.Type == "file" && c.Prop("dib:file:kind") == "" {
			outputs[c.Name] = c.SHA256()
		}
		for _, f := range append([]sbomtest.Component{c}, c.Components...) {
			if k := f.Prop("dib:file:kind"); k != "" {
				kind[f.Name] = k
				if f.Name != c.Name {
					owner[f.Name] = c.Name
				}
			}
		}
	}
	assert.Equal(t, sha256Of(t, first.Kernel), outputs["test.kernel"])
	assert.Equal(t, sha256Of(t, first.Initramfs), outputs["test.initramfs"])
	want := map[string]string{"busybox": "program", "findmnt": "program", "libc.so.6": "library", "mlx5_core.ko": "module"}
	found := map[string]bool{}
	for p, k := range kind {
		for name, wantKind := range want {
			if strings.HasPrefix(filepath.Base(p), name) && k == wantKind {
				found[name] = true
				assert.NotEmpty(t, owner[p], "%s came from a package", p)
			}
		}
		if strings.HasPrefix(p, "/boot/vmlinuz-") {
			assert.Equal(t, "kernel", k)
			assert.True(t, strings.HasPrefix(owner[p], "linux-image-"), "the kernel's package: %s", owner[p])
		}
	}
	assert.Len(t, found, len(want), "found %v", found)
	assert.Equal(t, filepath.Base(first.SBOM), "test"+sbom.Ext)
}

func sha256Of(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	require.NoError(t, err)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
