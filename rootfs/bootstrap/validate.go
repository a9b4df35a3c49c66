package bootstrap

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
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
func CheckMirror(m string) error { return archive.CheckURI(m) }
