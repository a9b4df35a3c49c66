package integration

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/sbom/sbomtest"
)

// syftVersion is the Syft release the scanner test builds from the Go
// module proxy.
const syftVersion = "v1.57.2"

var (
	syftOnce sync.Once
	syftPath string
	syftErr  error
)

// syft returns a Syft binary, built once from the Go module proxy into the
// test cache (so later runs on the machine reuse it).
func syft(t *testing.T) string {
	t.Helper()
	testenv.RequireCommands(t, "go")
	syftOnce.Do(func() {
		dir := filepath.Join(testenv.CacheDir(), "tools", "syft-"+syftVersion)
		syftPath = filepath.Join(dir, "syft")
		if _, err := os.Stat(syftPath); err == nil {
			return
		}
		cmd := exec.Command("go", "install", "github.com/anchore/syft/cmd/syft@"+syftVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=", "CGO_ENABLED=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			syftErr = err
			syftPath = string(out)
		}
	})
	if syftErr != nil {
		t.Fatalf("build syft %s from the Go module proxy: %v: %s", syftVersion, syftErr, syftPath)
	}
	return syftPath
}

// requireSyftReadsTheImage runs Syft, a real consumer of CycloneDX, on the
// bill of materials at bom: it must find Debian 13 and every Debian package
// the document lists, with its version, purl and licenses.
func requireSyftReadsTheImage(t *testing.T, bom string) {
	t.Helper()
	out, err := exec.Command(syft(t), "convert", bom, "-o", "syft-json").Output()
	require.NoError(t, err, "syft convert %s", bom)
	var got struct {
		Distro struct {
			ID, VersionID string
		} `json:"distro"`
		Artifacts []struct {
			Name, Version, Type, PURL string
			Licenses                  []struct{ Value string } `json:"licenses"`
		} `json:"artifacts"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, "debian", got.Distro.ID)
	assert.Equal(t, "13", got.Distro.VersionID)
	data, err := os.ReadFile(bom)
	require.NoError(t, err)
	doc, err := sbomtest.Read(data)
	require.NoError(t, err)
	want := map[string]string{}
	for _, c := range doc.Components {
		if c.Prop("dib:deb:arch") != "" {
			want[c.Name] = c.Version
		}
	}
	found, licensed := map[string]string{}, 0
	for _, a := range got.Artifacts {
		if a.Type != "deb" {
			continue
		}
		found[a.Name] = a.Version
		purl, err := url.PathUnescape(a.PURL)
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(purl, "pkg:deb/debian/"+a.Name+"@"), a.PURL)
		if len(a.Licenses) > 0 && a.Licenses[0].Value != "NOASSERTION" {
			licensed++
		}
	}
	assert.Equal(t, want, found, "every package, with its version")
	assert.Greater(t, licensed, len(want)/2, "most packages' licenses are known")
	t.Logf("syft %s read debian %s and %d packages (%d with licenses)", syftVersion, got.Distro.VersionID, len(found), licensed)
}
