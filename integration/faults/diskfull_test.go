package faults

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestAFullWorkDirectoryFailsClearlyAndCleanly(t *testing.T) {
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "unshare", "mount", "mmdebstrap", "go")
	dic := command(t, "disk-image-create")
	out, work := t.TempDir(), t.TempDir()
	token := "DIB_FAULT_TOKEN=" + randomHex()
	// A 150 MiB tmpfs as the work directory, in a mount namespace of the
	// command's own: the base root alone needs several times that.
	script := `mount -t tmpfs -o size=150m dib-test-full "$1" && shift && exec "$@"`
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), token, "DIB_IMAGE_CACHE=" + testenv.CacheDir()}
	p := start(t, env, "unshare", "-m", "sh", "-c", script, "sh", work,
		dic, "-o", filepath.Join(out, "img"), "--tmp-dir", work, "vm")
	code := p.wait()
	last := lastLine(p.log())
	assert.Equal(t, 1, code, p.log())
	assert.Contains(t, last, "No space left on device")
	assert.Contains(t, last, "phase bootstrap")
	assert.Empty(t, leftBehind(token, out, work, ""), "nothing left behind")
}
