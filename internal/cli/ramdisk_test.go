package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// moduleRoot makes the smallest module root: a kernel and an empty
// modules.dep for version 6.1.0-1-amd64.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for p, c := range map[string]string{"boot/vmlinuz-6.1.0-1-amd64": "kernel", "lib/modules/6.1.0-1-amd64/modules.dep": ""} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, p), []byte(c), 0o644))
	}
	return root
}

func ramdiskCmd(env []string, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := RamdiskImageCreate(context.Background(), args, env, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestRamdiskImageCreateHelpListsEveryOptionWithItsVariable(t *testing.T) {
	t.Parallel()
	code, out, _ := ramdiskCmd([]string{"MODULE_ROOT=/srv/kernel"}, "-h")
	assert.Equal(t, ExitOK, code)
	for _, want := range []string{"Usage: ramdisk-image-create -o NAME", "--host", "-m, --module-root", "MODULE_ROOT=/srv/kernel",
		"KERNEL_VERSION=", "--all-modules", "DIB_RAMDISK_COMPRESS=gzip", "DIB_IMAGE_CACHE=", "FLAVOURS_PATH="} {
		assert.Contains(t, out, want)
	}
}

func TestRamdiskImageCreateRefusesBadInputWithOneLineAndExitTwo(t *testing.T) {
	t.Parallel()
	mroot := moduleRoot(t)
	cases := map[string]struct {
		args []string
		want string
	}{
		"unknown flavour":      {[]string{"--host", "-m", mroot, "no-such-flavour"}, `flavour "no-such-flavour" not found`},
		"module root missing":  {[]string{"--host", "-m", "/no/such/root", "deploy"}, "module root /no/such/root (-m) is not a directory"},
		"kernel version wrong": {[]string{"--host", "-m", mroot, "-k", "9.9", "deploy"}, "kernel version 9.9 (-k) has no lib/modules/9.9/modules.dep"},
		"-m without --host":    {[]string{"-m", mroot, "deploy"}, "-m and -k are for --host builds only"},
		"bad compression":      {[]string{"--compress", "lz4", "deploy"}, `unknown compression "lz4"`},
		"no flavour":           {[]string{"--host"}, "no flavour given"},
		"unknown option":       {[]string{"--frobnicate", "deploy"}, "unknown flag: --frobnicate"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			code, out, errOut := ramdiskCmd(nil, append([]string{"-o", filepath.Join(dir, "rd")}, c.args...)...)
			assert.Equal(t, ExitBadInput, code)
			assert.Empty(t, out)
			assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line: %q", errOut)
			assert.True(t, strings.HasPrefix(errOut, "ramdisk-image-create: "), errOut)
			assert.Contains(t, errOut, c.want)
			entries, _ := os.ReadDir(dir)
			assert.Empty(t, entries, "nothing written")
		})
	}
}

func TestRamdiskImageCreateBuildsFromTheHostAndPrintsItsOutputs(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "busybox")
	dir := t.TempDir()
	env := append(os.Environ(), "MODULE_ROOT="+moduleRoot(t), "DIB_RAMDISK_COMPRESS=zstd")
	code, out, errOut := ramdiskCmd(env, "--host", "-o", filepath.Join(dir, "rd"), "ramdisk-base")
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, filepath.Join(dir, "rd.kernel")+"\n"+filepath.Join(dir, "rd.initramfs")+"\n"+filepath.Join(dir, "rd.cdx.json")+"\n", out,
		"the outputs and their bill of materials")
	data, err := os.ReadFile(filepath.Join(dir, "rd.initramfs"))
	require.NoError(t, err)
	assert.Equal(t, []byte{0x28, 0xb5, 0x2f, 0xfd}, data[:4], "DIB_RAMDISK_COMPRESS=zstd is used")
}
