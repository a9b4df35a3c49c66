package bootstrap

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestReleasesAreSuiteNamesNeverOptionsOrPaths(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"trixie", "stable", "bookworm-backports", "sid"} {
		assert.NoError(t, CheckRelease(ok), ok)
	}
	for _, bad := range []string{"", "--setup-hook=touch /tmp/x", "../../etc", "trixie/../x", "Trixie", "a b", "-x", ".."} {
		assert.ErrorContains(t, CheckRelease(bad), "bad release", bad)
	}
}

func TestMirrorsAreHTTPOrFileURLs(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"http://deb.debian.org/debian", "https://mirror.example/debian/", "file:///srv/debian", "http://127.0.0.1:9/debian"} {
		assert.NoError(t, CheckMirror(ok), ok)
	}
	for _, bad := range []string{"", "--aptopt=x", "ftp://x/debian", "http:///debian", "file://host/srv", "file:relative",
		"deb http://x/debian trixie main", "http://x/debian\"; rm", "/srv/debian"} {
		assert.ErrorContains(t, CheckMirror(bad), "bad mirror", bad)
	}
}

func TestAnUnknownReleaseIsRefusedNamingTheKnownOnes(t *testing.T) {
	for _, ok := range []string{"trixie", "bookworm", "stable", "testing", "sid", "forky"} {
		if err := CheckKnownRelease(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	err := CheckKnownRelease("noble")
	if err == nil || !strings.Contains(err.Error(), `unknown Debian release "noble" (known: stretch, buster`) {
		t.Errorf("noble: %v", err)
	}
}
