package faults

import (
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
	sb := newSandbox(t, false)
	token := "DIB_FAULT_TOKEN=" + randomHex()
	// A 150 MiB tmpfs as the work directory, in a mount namespace of the
	// command's own: the base root alone needs several times that.
	script := `mount -t tmpfs -o size=150m dib-test-full "$1" && shift && exec "$@"`
	argv := append([]string{"unshare", "-m", "sh", "-c", script, "sh", sb.tmp}, sb.argv(dic, "-o", filepath.Join(sb.out, "img"), "vm")...)
	p := start(t, sb.env(token), argv...)
	code := p.wait()
	last := lastLine(p.log())
	assert.Equal(t, 1, code, p.log())
	assert.Contains(t, last, "No space left on device")
	assert.Contains(t, last, "phase bootstrap")
	assert.Empty(t, sb.leftBehind(token, ""), "nothing left behind")
}
