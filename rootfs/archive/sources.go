// Package archive says where a base's packages come from and what state
// the archive was in when the base was made: the apt sources of a Debian
// release (the release, RELEASE-updates and RELEASE-security, as the
// original's debian-minimal writes them), each suite's InRelease verified
// with the release's keyring, its Date and the hashes of the package
// indices a build reads. A cached base is current while those hashes are
// unchanged; when they change it is upgraded (see package bootstrap).
package archive

import (
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// Source is one apt source: one "deb" line of a sources.list.
type Source struct {
	// Name is the sources.list.d file name (without .list) of an entry of
	// DIB_APT_SOURCES_CONF; empty for the default suites, which go in
	// one deb822 file.
	Name       string
	URI        string
	Suite      string
	Components []string
	// Options is what a one-line entry has between [ and ], as given.
	Options string
}

// Line is s in the one-line format.
func (s Source) Line() string {
	parts := []string{"deb"}
	if s.Options != "" {
		parts = append(parts, "["+s.Options+"]")
	}
	parts = append(parts, s.URI, s.Suite)
	return strings.Join(append(parts, s.Components...), " ")
}

// URL is the address of file in the suite's dists directory.
func (s Source) URL(file string) string {
	return strings.TrimSuffix(s.URI, "/") + "/dists/" + s.Suite + "/" + file
}

// Config is what chooses a base's sources: the original's variables.
type Config struct {
	Release string
	// Mirror is DIB_DISTRIBUTION_MIRROR (or DIB_DEBIAN_DISTRIBUTION_MIRROR).
	Mirror string
	// SecurityMirror is DIB_DEBIAN_SECURITY_MIRROR; empty means the
	// debian-security tree beside Mirror's debian (see SecurityMirrorOf).
	SecurityMirror string
	// SecuritySubpath is DIB_DEBIAN_SECURITY_SUBPATH, appended to the
	// security suite's name (RELEASE-security).
	SecuritySubpath string
	Components      []string // DIB_DEBIAN_COMPONENTS; default main
	// SourcesConf is DIB_APT_SOURCES_CONF: "NAME:deb ..." lines that
	// replace the default sources.
	SourcesConf string
}

// Sources returns the apt sources c describes: the release,
// RELEASE-updates and RELEASE-security, or the release alone for testing,
// unstable, sid and experimental (as the original does); or the entries
// of SourcesConf when given.
func (c Config) Sources() ([]Source, error) {
	if strings.TrimSpace(c.SourcesConf) != "" {
		return ParseSourcesConf(c.SourcesConf)
	}
	comps := c.Components
	if len(comps) == 0 {
		comps = []string{"main"}
	}
	srcs := []Source{{URI: c.Mirror, Suite: c.Release, Components: comps}}
	if !HasUpdateSuites(c.Release) {
		return srcs, nil
	}
	sec := c.SecurityMirror
	if sec == "" {
		var err error
		if sec, err = SecurityMirrorOf(c.Mirror); err != nil {
			return nil, err
		}
	}
	return append(srcs, Source{URI: c.Mirror, Suite: c.Release + "-updates", Components: comps},
		Source{URI: sec, Suite: c.Release + "-security" + c.SecuritySubpath, Components: comps}), nil
}

// HasUpdateSuites reports whether release has -updates and -security
// suites: every release but the ones that move every day.
func HasUpdateSuites(release string) bool {
	return !slices.Contains([]string{"testing", "unstable", "sid", "experimental", "rc-buggy"}, release)
}

// SecurityMirrorOf is where the security archive is beside mirror: a
// mirror whose path ends in /debian has it at /debian-security on the same
// host (as the Debian mirror network, apt-cacher-ng and snapshot mirrors
// lay them out); any other mirror with a path has it at that path with
// -security appended. A mirror without a path says nothing of it.
func SecurityMirrorOf(mirror string) (string, error) {
	m := strings.TrimSuffix(mirror, "/")
	if u, err := url.Parse(m); err != nil || strings.Trim(u.Path, "/") == "" {
		return "", fmt.Errorf("the mirror %s has no path to put -security after: set DIB_DEBIAN_SECURITY_MIRROR", mirror)
	}
	return m + "-security", nil
}

// DebianKeyring is the keyring of the Debian archive, in the image
// (debian-archive-keyring) as on the build host.
const DebianKeyring = "/usr/share/keyrings/debian-archive-keyring.gpg"

// ImageFiles are the image's apt sources, by path in the tree: the default
// suites in /etc/apt/sources.list.d/debian.sources in the deb822 format
// (as Debian 13's installer and cloud images write them; one stanza per
// URI, signed by signedBy when it is not empty), or each entry of
// DIB_APT_SOURCES_CONF in sources.list.d/NAME.list as the original writes
// them.
func ImageFiles(srcs []Source, signedBy string) map[string]string {
	files := map[string]string{}
	var stanzas []string
	type group struct {
		uri, comps, opts string
		suites           []string
	}
	var groups []*group
	for _, s := range srcs {
		if s.Name != "" {
			files["/etc/apt/sources.list.d/"+s.Name+".list"] = s.Line() + "\n"
			continue
		}
		comps := strings.Join(s.Components, " ")
		i := slices.IndexFunc(groups, func(g *group) bool { return g.uri == s.URI && g.comps == comps && g.opts == s.Options })
		if i < 0 {
			groups = append(groups, &group{uri: s.URI, comps: comps, opts: s.Options})
			i = len(groups) - 1
		}
		groups[i].suites = append(groups[i].suites, s.Suite)
	}
	for _, g := range groups {
		st := "Types: deb\nURIs: " + g.uri + "\nSuites: " + strings.Join(g.suites, " ") + "\nComponents: " + g.comps + "\n"
		if signedBy != "" {
			st += "Signed-By: " + signedBy + "\n"
		}
		stanzas = append(stanzas, st)
	}
	if len(stanzas) > 0 {
		files["/etc/apt/sources.list.d/debian.sources"] = strings.Join(stanzas, "\n")
	}
	return files
}

// Lines are the sources' one-line entries, sorted: what keys a base.
func Lines(srcs []Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Name+":"+s.Line())
	}
	sort.Strings(out)
	return out
}
