package integration

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// tarFiles returns the contents of the named regular files in the tar at
// path, keyed by name without "./", and their modes in octal keyed by
// NAME:mode.
func tarFiles(t *testing.T, path string, names ...string) map[string]string {
	t.Helper()
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	got := map[string]string{}
	tr := tar.NewReader(fh)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return got
		}
		require.NoError(t, err)
		if name := strings.TrimPrefix(h.Name, "./"); want[name] {
			data, err := io.ReadAll(tr)
			require.NoError(t, err)
			got[name] = string(data)
			got[name+":mode"] = strconv.FormatInt(h.Mode&0o7777, 8)
		}
	}
}

func TestLocalConfigCopiesTheBuildersSSHKeysAndProxySettingsIntoTheImage(t *testing.T) {
	t.Parallel() // the package's tests share two cores: a boot and a build overlap
	testenv.Short(t)
	testenv.RequireRoot(t)
	testenv.RequireCommands(t, "mmdebstrap", "tar", "zstd")
	home := t.TempDir()
	keys := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDibTestKeyOne builder@host\nssh-rsa AAAAB3NzaC1yc2EAAAADAQABTestKeyTwo other@host\n"
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".ssh"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(home, ".ssh", "authorized_keys"), []byte(keys), 0o600))

	var log bytes.Buffer
	name := filepath.Join(t.TempDir(), "local-config")
	spec := images.Spec{
		Name: name, Flavours: []string{"local-config"}, Types: []string{"tar"},
		CacheDir: testenv.CacheDir(), Log: &log,
		Env: []string{"HOME=" + home, "http_proxy=http://proxy.example:3128", "no_proxy=localhost,.example"},
	}
	_, err := images.Build(context.Background(), spec)
	if err != nil {
		t.Logf("build log:\n%s", log.String())
	}
	require.NoError(t, err)

	files := tarFiles(t, name+".tar", "root/.ssh/authorized_keys", "etc/environment", "etc/apt/apt.conf.d/60-dib-local-config-proxy")
	assert.Equal(t, keys, files["root/.ssh/authorized_keys"], "root's authorized_keys holds the builder's keys")
	assert.Equal(t, "600", files["root/.ssh/authorized_keys:mode"])
	assert.Contains(t, files["etc/environment"], "http_proxy=http://proxy.example:3128\n")
	assert.Contains(t, files["etc/environment"], "no_proxy=localhost,.example\n")
	assert.NotContains(t, files["etc/environment"], "https_proxy", "only the proxies the builder had")
	assert.Equal(t, "Acquire::http::Proxy \"http://proxy.example:3128\";\n", files["etc/apt/apt.conf.d/60-dib-local-config-proxy"])
	assert.Contains(t, log.String(), "local-config: ssh keys from "+home+"/.ssh/authorized_keys")
}
