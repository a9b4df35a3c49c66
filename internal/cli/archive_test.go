package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// An archive the build cannot reach fails it with one line naming the
// address (exit 1), and nothing is written; it never ships a stale image.
func TestAnUnreachableArchiveFailsTheBuildWithOneLineNamingIt(t *testing.T) {
	testenv.RequireRoot(t)
	out := filepath.Join(t.TempDir(), "vm")
	code, _, stderr := createRun(t, []string{"PATH=" + os.Getenv("PATH")}, "-o", out, "-t", "tar",
		"--mirror", "http://127.0.0.1:1/debian", "--image-cache", t.TempDir(), "base")
	assert.Equal(t, ExitFailure, code, stderr)
	last := strings.TrimSpace(stderr)
	if i := strings.LastIndex(last, "\n"); i >= 0 {
		last = last[i+1:]
	}
	assert.Contains(t, last, "disk-image-create: ")
	assert.Contains(t, last, "cannot reach the archive")
	assert.Contains(t, last, "127.0.0.1:1")
	assert.NoFileExists(t, out+".tar")
}

func TestTheOriginalsMirrorAndSecurityVariablesReachTheSpec(t *testing.T) {
	t.Parallel()
	v, flavours, _, env, err := parseArgs(createOptions, []string{"vm"}, []string{
		"DIB_DISTRIBUTION_MIRROR=http://a/debian", "DIB_DEBIAN_DISTRIBUTION_MIRROR=http://b/debian",
		"DIB_DEBIAN_SECURITY_MIRROR=http://s/", "DIB_DEBIAN_SECURITY_SUBPATH=/updates",
		"DIB_APT_SOURCES_CONF=x:deb http://c/ trixie main", "DIB_APT_KEYRING=/k.gpg"})
	assert.NoError(t, err)
	spec, err := createSpec(v, flavours, env, nil)
	assert.NoError(t, err)
	assert.Equal(t, "http://b/debian", spec.Mirror, "the original's debian-minimal takes DIB_DEBIAN_DISTRIBUTION_MIRROR first")
	assert.Equal(t, "http://s/", spec.Apt.SecurityMirror)
	assert.Equal(t, "/updates", spec.Apt.SecuritySubpath)
	assert.Equal(t, "x:deb http://c/ trixie main", spec.Apt.SourcesConf)
	assert.Equal(t, "/k.gpg", spec.Apt.Keyring)
}

func TestDIBChecksumTakesTheOriginalsValues(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{"sha256": {"sha256"}, "md5": {"md5"}, "md5,sha256": {"sha256", "md5"}, "1": nil} {
		env, kinds := checksumEnv([]string{"DIB_CHECKSUM=" + in})
		assert.Equal(t, want, kinds, in)
		v, flavours, _, env, err := parseArgs(createOptions, []string{"vm"}, env)
		assert.NoError(t, err, in)
		spec, err := createSpec(v, flavours, env, nil)
		assert.NoError(t, err)
		assert.True(t, spec.Checksum, in)
	}
	_, kinds := checksumEnv([]string{"DIB_CHECKSUM=crc32"})
	assert.Nil(t, kinds)
	_, _, _, _, err := parseArgs(createOptions, []string{"vm"}, []string{"DIB_CHECKSUM=crc32"})
	assert.Error(t, err, "refused, not ignored")
}

func TestOneTypesExtensionOnTheOutputNameIsTheOutputAndDIBImageSizeIsRead(t *testing.T) {
	t.Parallel()
	v, flavours, _, env, err := parseArgs(createOptions, []string{"-o", "out/vm.qcow2", "vm"}, []string{"DIB_IMAGE_SIZE=3"})
	assert.NoError(t, err)
	spec, err := createSpec(v, flavours, env, nil)
	assert.NoError(t, err)
	assert.Equal(t, "out/vm", spec.Name, "writes out/vm.qcow2, not out/vm.qcow2.qcow2")
	assert.Equal(t, int64(3<<30), spec.Size)
	v, flavours, _, env, err = parseArgs(createOptions, []string{"-o", "out/vm.qcow2", "-t", "qcow2,raw", "--image-size", "2", "vm"}, []string{"DIB_IMAGE_SIZE=3"})
	assert.NoError(t, err)
	spec, err = createSpec(v, flavours, env, nil)
	assert.NoError(t, err)
	assert.Equal(t, "out/vm.qcow2", spec.Name, "two types: the name is as given")
	assert.Equal(t, int64(2<<30), spec.Size, "--image-size wins")
}

func TestRepeatedPackagesAccumulateAsTheOriginals(t *testing.T) {
	t.Parallel()
	v, flavours, _, env, err := parseArgs(createOptions, []string{"-p", "vim", "-p", "curl,jq", "vm"}, nil)
	assert.NoError(t, err)
	spec, err := createSpec(v, flavours, env, nil)
	assert.NoError(t, err)
	assert.Equal(t, []string{"vim", "curl", "jq"}, spec.Packages)
	v, flavours, _, env, err = parseArgs(createOptions, []string{"vm"}, []string{"DIB_INSTALL_PACKAGES=a,b"})
	assert.NoError(t, err)
	spec, err = createSpec(v, flavours, env, nil)
	assert.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, spec.Packages)
}

func TestAReleaseDebianHasNotIsRefusedBeforeAnythingIsBuilt(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	code, stdout, stderr := createRun(t, nil, "-o", filepath.Join(out, "vm"), "--release", "noble", "vm")
	assert.Equal(t, ExitBadInput, code)
	assert.Empty(t, stdout)
	assert.Contains(t, stderr, `unknown Debian release "noble" (known: `)
	entries, _ := os.ReadDir(out)
	assert.Empty(t, entries)
}

func TestAVariableOfTheOriginalNotSupportedIsRefusedNamingIt(t *testing.T) {
	t.Parallel()
	for _, kv := range []string{"FS_TYPE=xfs", "DIB_GRUB_TIMEOUT=5", "DIB_BLOCK_DEVICE_CONFIG=- local_loop: {}", "DIB_IMAGE_EXTRA_SIZE=1"} {
		out := t.TempDir()
		code, _, stderr := createRun(t, []string{kv}, "-o", filepath.Join(out, "vm"), "vm")
		assert.Equal(t, ExitBadInput, code, kv)
		name, _, _ := strings.Cut(kv, "=")
		assert.Contains(t, stderr, "variable "+name+" of diskimage-builder is not supported: ", kv)
		entries, _ := os.ReadDir(out)
		assert.Empty(t, entries)
	}
	code, stdout, _ := createRun(t, nil, "-h")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, stdout, "FS_TYPE", "-h lists the refused variables too")
}

func TestDIBNoTimestampLogsPlainLines(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	v, _, _, _, err := parseArgs(createOptions, []string{"vm"}, []string{"DIB_NO_TIMESTAMP=1"})
	assert.NoError(t, err)
	w, done, err := logFor(v, &stderr, nil)
	assert.NoError(t, err)
	w.Write([]byte("phase install\n"))
	done()
	assert.Equal(t, "phase install\n", stderr.String())
}

func TestTheOriginalsOverwriteAndTmpDirNamesAreRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v, flavours, _, env, err := parseArgs(createOptions, []string{"vm"}, []string{"OVERWRITE_OLD_IMAGE=1", "TMP_DIR=" + dir})
	assert.NoError(t, err)
	spec, err := createSpec(v, flavours, env, nil)
	assert.NoError(t, err)
	assert.True(t, spec.Overwrite)
	assert.Equal(t, dir, spec.TmpDir)
}
