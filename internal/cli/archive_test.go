package cli

import (
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
