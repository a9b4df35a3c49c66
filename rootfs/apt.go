package rootfs

import (
	"fmt"
	"net/url"
	"os"
	"regexp"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"golang.org/x/sys/unix"
)

// Apt are the original's settings of the apt sources of the base and the
// image, beyond the mirror and components (see archive.Config).
type Apt struct {
	SecurityMirror  string // DIB_DEBIAN_SECURITY_MIRROR; default debian-security beside the mirror
	SecuritySubpath string // DIB_DEBIAN_SECURITY_SUBPATH, appended to RELEASE-security
	SourcesConf     string // DIB_APT_SOURCES_CONF: NAME:deb ... lines replacing the default sources
	Keyring         string // DIB_APT_KEYRING: a keyring file signing extra sources, read with the caller's rights
}

// subpathRE is what DIB_DEBIAN_SECURITY_SUBPATH may be.
var subpathRE = regexp.MustCompile(`^[A-Za-z0-9/_.-]{1,32}$`)

// archiveConfig is what chooses the base's apt sources.
func (s Spec) archiveConfig() archive.Config {
	return archive.Config{Release: s.Release, Mirror: s.Mirror, SecurityMirror: s.Apt.SecurityMirror,
		SecuritySubpath: s.Apt.SecuritySubpath, Components: s.Components, SourcesConf: s.Apt.SourcesConf}
}

// validateApt checks the apt settings and the sources they make.
func (s Spec) validateApt() error {
	if s.Apt.SecurityMirror != "" {
		if err := archive.CheckURI(s.Apt.SecurityMirror); err != nil {
			return fmt.Errorf("DIB_DEBIAN_SECURITY_MIRROR: %w", err)
		}
	}
	if s.Apt.SecuritySubpath != "" && !subpathRE.MatchString(s.Apt.SecuritySubpath) {
		return fmt.Errorf("bad DIB_DEBIAN_SECURITY_SUBPATH %q: it is appended to the suite name (like /updates)", s.Apt.SecuritySubpath)
	}
	_, err := s.archiveConfig().Sources()
	return err
}

// checkFileSources checks, for a build root makes for its Owner, that the
// owner may read the InRelease of every file: source: root reads them for
// the build, and must read nothing its caller could not.
func (s Spec) checkFileSources() error {
	if s.Owner == nil {
		return nil
	}
	srcs, err := s.archiveConfig().Sources()
	if err != nil {
		return err
	}
	for _, src := range srcs {
		u, err := url.Parse(src.URL("InRelease"))
		if err != nil || u.Scheme != "file" {
			continue
		}
		if err := s.Owner.Do(func() error {
			fh, err := os.OpenFile(u.Path, os.O_RDONLY|unix.O_NONBLOCK, 0)
			if err == nil {
				fh.Close()
			}
			return err
		}); err != nil {
			return fmt.Errorf("mirror %s cannot be read as %s: %w", src.URI, s.Owner, err)
		}
	}
	return nil
}
