// Package redact keeps secrets out of what a build writes down: the inputs
// record beside an image, logs and summaries. A URL keeps its scheme, user
// and host but loses its password; a variable whose name says it holds a
// secret keeps only a short digest, so that a change is still noticed.
package redact

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
)

// secretWords mark variable names whose values are secrets, as in
// DIB_DEV_USER_PASSWORD or DIB_REGISTRY_TOKEN.
var secretWords = []string{"PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "PRIVATE", "_KEY"}

// Value returns v, the value of variable name, fit to be written down.
func Value(name, v string) string {
	upper := strings.ToUpper(name)
	for _, w := range secretWords {
		if strings.Contains(upper, w) {
			return Digest(v)
		}
	}
	return URL(v)
}

// URL returns s with the password of a URL's user information replaced by
// a digest of it; anything that is not such a URL is returned as it is.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	pw, ok := u.User.Password()
	if !ok {
		return s
	}
	// Rebuilt by hand: url.URL.String would escape the digest's brackets.
	userinfo := u.User.Username() + ":" + Digest(pw)
	return strings.Replace(s, u.User.String(), userinfo, 1)
}

// Digest is a short, salted stand-in for a secret: the same secret gives
// the same text, a changed one a different text.
func Digest(secret string) string {
	sum := sha256.Sum256([]byte("diskimage-builder redact\x00" + secret))
	return "<redacted:" + hex.EncodeToString(sum[:6]) + ">"
}
