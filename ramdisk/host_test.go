package ramdisk_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs/archivetest"
	"github.com/tripleo/diskimage-builder/rootfs"
	"github.com/tripleo/diskimage-builder/sbom/sbomtest"
)

// hostSpec is a --host build of the test flavours into a new directory.
func hostSpec(t *testing.T, flavours ...string) ramdisk.Spec {
	t.Helper()
	testenv.RequireCommands(t, "busybox", "findmnt")
	if len(flavours) == 0 {
		flavours = []string{"outer"}
	}
	return ramdisk.Spec{
		Name: filepath.Join(t.TempDir(), "rd"), Flavours: flavours, Host: true,
		ModuleRoot: fakeModuleRoot(t), FlavoursPath: []string{testFlavours(t, nil)},
		Env: os.Environ(), Log: testWriter{t},
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func TestAHostRamdiskHoldsBusyboxBinaryDepsModulesFirmwareUdevRulesAndInit(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t)
	res, err := ramdisk.Build(context.Background(), spec)
	require.NoError(t, err)
	assert.Equal(t, []string{spec.Name + ".kernel", spec.Name + ".initramfs"}, res.Outputs())
	assert.Equal(t, fakeKernel, res.KernelVersion)
	assert.False(t, res.Epoch.IsZero(), "dated by the newest of the host's files")
	assert.False(t, res.Epoch.After(time.Now()))
	kernel, err := os.ReadFile(res.Kernel)
	require.NoError(t, err)
	assert.Equal(t, "not really a kernel\n", string(kernel))

	a, err := archivetest.ReadFile(res.Initramfs)
	require.NoError(t, err)
	lib := "/lib" // where /lib lands in the archive: /usr/lib on a merged-/usr host
	if target, _ := os.Readlink("/lib"); target == "usr/lib" {
		lib = "/usr/lib"
	}
	mods := lib + "/modules/" + fakeKernel + "/kernel/"
	bb, err := filepath.EvalSymlinks(mustLookPath(t, "busybox"))
	require.NoError(t, err)
	findmnt, err := filepath.EvalSymlinks(mustLookPath(t, "findmnt"))
	require.NoError(t, err)
	assert.NoError(t, a.Validate(
		archivetest.ParentsFirst{}, archivetest.Owner{UID: 0, GID: 0, MTime: uint32(res.Epoch.Unix())},
		archivetest.HasFile{Path: bb},
		archivetest.HasFile{Path: findmnt},
		archivetest.HasCharDevice{Path: "/dev/console", Major: 5, Minor: 1},
		archivetest.HasFile{Path: mods + "drivers/net/virtio_net.ko"},
		archivetest.HasFile{Path: mods + "net/core/failover.ko"},
		archivetest.HasFile{Path: mods + "drivers/net/ethernet/intel/e1000/e1000.ko"},
		archivetest.HasFile{Path: mods + "drivers/misc/dib_extra.ko"},
		archivetest.HasFile{Path: mods + "lib/dib_helper.ko"},
		archivetest.MissingFile{Path: mods + "drivers/gpu/drm/tiny/bochs.ko"},
		archivetest.MissingFile{Path: mods + "drivers/net/wireless/dummy_wifi.ko"},
		archivetest.HasFile{Path: lib + "/modules/" + fakeKernel + "/modules.dep"},
		archivetest.HasContent{Path: lib + "/firmware/dib/test.fw", Content: "firmware\n"},
		archivetest.HasContent{Path: "/etc/udev/rules.d/70-dib.rules", Content: "# a rule\n"},
		archivetest.HasMode{Path: "/init", Mode: 0o755},
		archivetest.HasFile{Path: "/etc/udhcpc/default.script"},
	))
	sh := a.ByName[filepath.Join(filepath.Dir(bb), "sh")]
	if assert.NotEmpty(t, sh.Name, "busybox gives /bin/sh") {
		assert.Equal(t, bb, string(sh.Data))
	}
	assert.Equal(t, uint32(archivetest.TypeReg), a.ByName[findmnt].Mode&archivetest.TypeMask,
		"a real program wins over the busybox applet at its path")

	init := string(a.ByName["/init"].Data)
	inner := strings.Index(init, "# init fragment from inner\n")
	outer := strings.Index(init, "# init fragment from outer\n")
	assert.True(t, inner > 0 && outer > inner, "fragments in dependency order, each headed by its flavour")
	assert.Contains(t, init, "echo outer-fragment")

	// The bill of materials names the host's packages of the host's
	// programs, and no package for the module root's files.
	doc, err := os.ReadFile(res.SBOM)
	require.NoError(t, err)
	d, err := sbomtest.Read(doc)
	require.NoError(t, err)
	owners := map[string]string{}
	for _, c := range d.Components {
		owners[c.Name] = "(none)"
		for _, f := range c.Components {
			owners[f.Name] = c.Name
		}
	}
	assert.Equal(t, "busybox", owners[bb], "the host's busybox package")
	assert.Equal(t, "(none)", owners["/lib/modules/"+fakeKernel+"/kernel/drivers/misc/dib_extra.ko"], "a module of the module root is no host package's")
	assert.Equal(t, "(none)", owners["/boot/vmlinuz-"+fakeKernel])
}

func mustLookPath(t *testing.T, name string) string {
	t.Helper()
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	t.Fatalf("%s not in PATH", name)
	return ""
}

func TestTheSameInputsGiveTheSameBytes(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t)
	first, err := ramdisk.Build(context.Background(), spec)
	require.NoError(t, err)
	one, err := os.ReadFile(first.Initramfs)
	require.NoError(t, err)
	spec.Overwrite = true
	_, err = ramdisk.Build(context.Background(), spec)
	require.NoError(t, err)
	two, err := os.ReadFile(first.Initramfs)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(one, two), "two builds of the same inputs differ")
	assert.Equal(t, []byte{0x1f, 0x8b}, one[:2], "gzip by default")

	spec.Compression = initramfs.Zstd
	_, err = ramdisk.Build(context.Background(), spec)
	require.NoError(t, err)
	z, err := os.ReadFile(first.Initramfs)
	require.NoError(t, err)
	assert.Equal(t, []byte{0x28, 0xb5, 0x2f, 0xfd}, z[:4], "zstd when asked")
}

func TestAnOldRamdiskIsMovedAsideUnlessOverwriteIsGiven(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t)
	require.NoError(t, os.WriteFile(spec.Name+".kernel", []byte("old"), 0o644))
	_, err := ramdisk.Build(context.Background(), spec)
	require.NoError(t, err)
	aside, err := filepath.Glob(spec.Name + ".kernel.*")
	require.NoError(t, err)
	require.Len(t, aside, 1)
	old, err := os.ReadFile(aside[0])
	require.NoError(t, err)
	assert.Equal(t, "old", string(old))
}

func TestAMissingBinaryDepNamesTheFlavourAndTheBinaryAndWritesNothing(t *testing.T) {
	t.Parallel()
	spec := hostSpec(t)
	spec.FlavoursPath = []string{testFlavours(t, map[string]string{"inner/binary-deps": "no-such-program-here\n"})}
	_, err := ramdisk.Build(context.Background(), spec)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "flavour inner: binary-dep no-such-program-here: not found")
	assertNothingWritten(t, spec.Name)
}

func TestAMissingKernelModuleOrFirmwareNamesTheFlavour(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"inner/kernel-modules": "flavour inner: kernel-modules: select modules",
		"inner/firmware":       "flavour inner: firmware nope not found",
	} {
		spec := hostSpec(t)
		spec.FlavoursPath = []string{testFlavours(t, map[string]string{file: "nope\n"})}
		_, err := ramdisk.Build(context.Background(), spec)
		require.Error(t, err, file)
		assert.Contains(t, err.Error(), want)
		assertNothingWritten(t, spec.Name)
	}
}

func TestBadHostInputsAreInputErrorsFoundBeforeAnythingIsWritten(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		change func(*ramdisk.Spec)
		want   string
	}{
		"module root missing":  {func(s *ramdisk.Spec) { s.ModuleRoot = "/no/such/dir" }, "module root /no/such/dir (-m) is not a directory"},
		"kernel missing":       {func(s *ramdisk.Spec) { s.KernelVersion = "9.9.9" }, "kernel version 9.9.9 (-k) has no lib/modules/9.9.9/modules.dep"},
		"unknown flavour":      {func(s *ramdisk.Spec) { s.Flavours = []string{"nope"} }, `flavour "nope" not found`},
		"bad compression":      {func(s *ramdisk.Spec) { s.Compression = "lz4" }, `unknown compression "lz4"`},
		"no output dir":        {func(s *ramdisk.Spec) { s.Name = "/no/such/dir/rd" }, "output directory /no/such/dir does not exist"},
		"module root, no host": {func(s *ramdisk.Spec) { s.Host = false }, "for --host builds only"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			spec := hostSpec(t)
			c.change(&spec)
			_, err := ramdisk.Build(context.Background(), spec)
			require.Error(t, err)
			assert.True(t, rootfs.IsInputError(err), "%v is an input error", err)
			assert.Contains(t, err.Error(), c.want)
			assertNothingWritten(t, spec.Name)
		})
	}
}

// assertNothingWritten checks that the output directory of name is empty.
func assertNothingWritten(t *testing.T, name string) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Dir(name))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Empty(t, names, "nothing is left in the output directory")
}
