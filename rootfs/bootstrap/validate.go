package bootstrap

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// suiteRE is what a Debian suite or codename looks like ("trixie",
// "stable", "bookworm-backports"): never an option, never a path.
var suiteRE = regexp.MustCompile(`^[a-z0-9][a-z0-9.+_-]{0,63}$`)

// CheckRelease refuses a release that is not a Debian suite name: it is
// given to mmdebstrap as an argument and names the cache entry.
func CheckRelease(r string) error {
	if !suiteRE.MatchString(r) || strings.Contains(r, "..") {
		return fmt.Errorf("bad release %q: not a Debian suite name (like trixie or stable)", r)
	}
	return nil
}

// KnownReleases are the Debian releases and suite names a base is made
// of: the codenames since stretch and the suites that name them.
var KnownReleases = []string{"stretch", "buster", "bullseye", "bookworm", "trixie", "forky", "duke",
	"oldoldstable", "oldstable", "stable", "testing", "unstable", "sid", "experimental"}

// CheckKnownRelease refuses a release that is not a Debian release, naming
// the known ones: --release noble would make a base from nothing.
func CheckKnownRelease(r string) error {
	if err := CheckRelease(r); err != nil {
		return err
	}
	if !slices.Contains(KnownReleases, r) {
		return fmt.Errorf("unknown Debian release %q (known: %s)", r, strings.Join(KnownReleases, ", "))
	}
	return nil
}

// CheckMirror refuses a mirror that is not an http, https or file URL: it
// is given to mmdebstrap and debootstrap as an argument.
func CheckMirror(m string) error {
	u, err := url.Parse(m)
	bad := func(why string) error { return fmt.Errorf("bad mirror %q: %s", m, why) }
	switch {
	case err != nil:
		return bad("not a URL")
	case strings.ContainsAny(m, " \t\n\"'\\"):
		return bad("white space or quotes in a URL")
	case u.Scheme == "http" || u.Scheme == "https":
		if u.Host == "" {
			return bad("no host")
		}
	case u.Scheme == "file":
		if !strings.HasPrefix(u.Path, "/") || u.Host != "" {
			return bad("a file URL needs an absolute path (file:///srv/debian)")
		}
	default:
		return bad("an http, https or file URL is needed")
	}
	return nil
}
