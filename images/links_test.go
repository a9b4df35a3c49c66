package images_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
)

// A tree's links are the image's own: every write, removal and mount
// point the build makes from outside the image stays inside it
// (dib-test-links turns each of those paths into a link to the host).
func TestWritesFromOutsideTheImageNeverFollowALinkToTheHost(t *testing.T) {
	requireBuilder(t)
	// Not under /tmp: the flavour makes the image's /tmp a link.
	host, err := os.MkdirTemp("/var/tmp", "dib-links-host-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(host) })
	for name, data := range map[string]string{
		"file": "the host's file", "ssh/ssh_host_ed25519_key": "the host's key",
		"lists/deb.debian.org_debian_dists_trixie_InRelease": "the host's list",
		"wants/.keep": "", "first-boot/.keep": "",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(host, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(host, name), []byte(data), 0o644))
	}
	before := snapshot(t, host)

	spec := testSpec(t, "links", "dib-test-links")
	spec.Types = []string{"tar"}
	spec.Env = append(spec.Env, "DIB_TEST_HOST="+host)
	_, err = images.Build(context.Background(), spec)
	require.NoError(t, err)
	assert.Equal(t, before, snapshot(t, host), "the host's files are as they were, and nothing was added")

	files := readTar(t, spec.Name+".tar")
	require.Contains(t, files, "./etc/machine-id")
	assert.True(t, files["./etc/machine-id"].FileInfo().Mode().IsRegular(), "the blank slate replaced the link by an empty file")
	assert.Empty(t, files["./etc/machine-id"].Data)
	assert.Contains(t, files, "."+host+"/first-boot/10-nothing", "first-boot.d went where the link leads, in the image")
}

// snapshot maps every path below dir to its contents (files) or mode.
func snapshot(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		require.NoError(t, err)
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			out[p] = string(data)
		} else {
			out[p] = fi.Mode().String()
		}
		return nil
	}))
	return out
}
