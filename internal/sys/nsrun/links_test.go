package nsrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestMountPointsThatAreLinksOutOfTheRootAreMadeInsideIt(t *testing.T) {
	testenv.RequireRoot(t)
	// Not under /tmp: the root's /tmp is one of the links.
	host, err := os.MkdirTemp("/var/tmp", "dib-nsrun-host-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(host) })
	root, hooks := t.TempDir(), t.TempDir()
	for _, mp := range []string{"proc", "sys", "dev", "tmp"} {
		require.NoError(t, os.Symlink(filepath.Join(host, mp+"-new"), filepath.Join(root, mp)))
	}
	job := Job{Root: root, SystemMounts: true, Binds: []Bind{{Source: hooks, Target: "/tmp/in_target.d", ReadOnly: true}}}
	_, err = Run(context.Background(), job, &bytes.Buffer{})
	require.NoError(t, err)
	names, err := os.ReadDir(host)
	require.NoError(t, err)
	assert.Empty(t, names, "no mount point was made on the host")
	for _, mp := range []string{"proc-new", "sys-new", "dev-new", "tmp-new/in_target.d"} {
		assert.DirExists(t, filepath.Join(root, host, mp), "made where the link leads inside the root")
	}
}
