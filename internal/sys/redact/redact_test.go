package redact

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestURLsLoseTheirPasswordButKeepTheRest(t *testing.T) {
	got := URL("http://alice:s3cr%40t@proxy.example:3128/")
	assert.NotContains(t, got, "s3cr")
	assert.Regexp(t, `^http://alice:<redacted:[0-9a-f]{12}>@proxy\.example:3128/$`, got)
	assert.Equal(t, "http://proxy.example:3128", URL("http://proxy.example:3128"))
	assert.Equal(t, "http://alice@proxy.example", URL("http://alice@proxy.example"))
	assert.Equal(t, "not a url", URL("not a url"))
	assert.NotEqual(t, URL("http://a:one@h"), URL("http://a:two@h"), "a changed password is still a change")
}

func TestSecretVariablesKeepOnlyADigest(t *testing.T) {
	for _, name := range []string{"DIB_DEV_USER_PASSWORD", "DIB_REGISTRY_TOKEN", "DIB_SSH_PRIVATE", "DIB_API_KEY"} {
		got := Value(name, "hunter2")
		assert.NotContains(t, got, "hunter2", name)
		assert.Contains(t, got, "<redacted:", name)
	}
	assert.Equal(t, "bookworm", Value("DIB_RELEASE", "bookworm"))
	assert.NotContains(t, Value("https_proxy", "http://u:pw@h"), "pw@")
}
