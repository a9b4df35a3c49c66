package modules_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/ramdisk/modules"
)

func TestFirmwareFindsCompressedFilesAndFollowsLinksInsideTheRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	put(t, root, "/usr/lib/firmware/rtl_nic/rtl8168g-2.fw.zst", "fw")
	put(t, root, "/usr/lib/firmware/e100/real.bin", "fw")
	require.NoError(t, os.Symlink("/usr/lib/firmware/e100/real.bin", filepath.Join(root, "usr/lib/firmware/e100/d101m_ucode.bin")))
	require.NoError(t, os.Symlink("usr/lib", filepath.Join(root, "lib")))

	files, missing, err := modules.Firmware(root, "rtl_nic/rtl8168g-2.fw", "e100/d101m_ucode.bin", "iwlwifi-nope.ucode")
	require.NoError(t, err)
	assert.Equal(t, []string{"/lib", "/usr/lib/firmware/e100/d101m_ucode.bin", "/usr/lib/firmware/e100/real.bin",
		"/usr/lib/firmware/rtl_nic/rtl8168g-2.fw.zst"}, files)
	assert.Equal(t, []string{"iwlwifi-nope.ucode"}, missing)
}

func TestFirmwareOfReadsModinfoOfCompressedModules(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "gcc", "xz", "zstd")
	dir := t.TempDir()
	src := filepath.Join(dir, "m.c")
	require.NoError(t, os.WriteFile(src, []byte(
		`__attribute__((section(".modinfo"), used)) static const char a[] = "license=GPL";
__attribute__((section(".modinfo"), used)) static const char b[] = "firmware=e100/d101m_ucode.bin";
__attribute__((section(".modinfo"), used)) static const char c[] = "firmware=e100/d102e_ucode.bin";
`), 0o644))
	ko := filepath.Join(dir, "m.ko")
	for _, argv := range [][]string{{"gcc", "-c", "-o", ko, src}, {"xz", "-k", ko}, {"zstd", "-q", "-k", ko}} {
		out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
		require.NoError(t, err, "%s", out)
	}
	for _, p := range []string{ko, ko + ".xz", ko + ".zst"} {
		fw, err := modules.FirmwareOf(p)
		require.NoError(t, err, p)
		assert.Equal(t, []string{"e100/d101m_ucode.bin", "e100/d102e_ucode.bin"}, fw, p)
	}
}
