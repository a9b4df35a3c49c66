package chroot

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// linkedTree is a root whose build-time paths are absolute links to host
// files, and a directory of those host files.
func linkedTree(t *testing.T) (root, host string) {
	root, host = t.TempDir(), t.TempDir()
	for _, d := range []string{"etc/apt", "etc/dpkg", "usr/sbin"} {
		require.NoError(t, os.MkdirAll(filepath.Join(root, d), 0o755))
	}
	for _, f := range []string{"resolv", "policy", "unsafe-io"} {
		require.NoError(t, os.WriteFile(filepath.Join(host, f), []byte("host "+f), 0o644))
	}
	require.NoError(t, os.Mkdir(filepath.Join(host, "apt.conf.d"), 0o755))
	for name, target := range map[string]string{
		"etc/resolv.conf":      filepath.Join(host, "resolv"),
		"usr/sbin/policy-rc.d": filepath.Join(host, "policy"),
		"etc/dpkg/dpkg.cfg.d":  host, // zz-dib-unsafe-io would land beside the host's files
		"etc/apt/apt.conf.d":   filepath.Join(host, "apt.conf.d"),
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(root, name)), 0o755))
		require.NoError(t, os.Symlink(target, filepath.Join(root, name)))
	}
	return root, host
}

func TestPrepareAndRestoreNeverWriteThroughALinkOutOfTheRoot(t *testing.T) {
	root, host := linkedTree(t)
	before := listHost(t, host)
	r, err := Prepare(root, "", "", "", []string{"http_proxy=http://proxy:3128"})
	require.NoError(t, err)
	assert.Equal(t, before, listHost(t, host), "Prepare wrote nothing on the host")
	data, err := os.ReadFile(filepath.Join(root, "etc/resolv.conf"))
	if err == nil {
		host, _ := os.ReadFile("/etc/resolv.conf")
		assert.Equal(t, string(host), string(data), "the host's resolver, in the root")
	}
	assert.FileExists(t, filepath.Join(root, host, "zz-dib-unsafe-io"), "written where the link leads inside the root")
	assert.FileExists(t, filepath.Join(root, host, "apt.conf.d", "zz-dib-proxy"))
	require.NoError(t, r.Restore())
	assert.Equal(t, before, listHost(t, host), "Restore removed nothing on the host")
	target, err := os.Readlink(filepath.Join(root, "etc/resolv.conf.ORIG"))
	assert.Error(t, err, "the image's link is back at its name: %s", target)
	target, err = os.Readlink(filepath.Join(root, "etc/resolv.conf"))
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(host, "resolv"), target)
	assert.NoFileExists(t, filepath.Join(root, host, "zz-dib-unsafe-io"))
}

// listHost maps every file below dir to its contents.
func listHost(t *testing.T, dir string) map[string]string {
	files := map[string]string{}
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		require.NoError(t, err)
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(p)
			require.NoError(t, err)
			files[p] = string(data)
		} else if p != dir {
			files[p] = fi.Mode().String()
		}
		return nil
	}))
	return files
}
