package archive

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// nameRE is what a DIB_APT_SOURCES_CONF entry's name may be: a file name.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$`)

// maxSources bounds the entries of DIB_APT_SOURCES_CONF.
const maxSources = 64

// ParseSourcesConf reads DIB_APT_SOURCES_CONF: one "NAME:deb [OPTIONS] URI
// SUITE COMPONENT..." entry a line (leading blanks ignored, as the
// original's read does).
func ParseSourcesConf(conf string) ([]Source, error) {
	var out []Source
	seen := map[string]bool{}
	for _, line := range strings.Split(conf, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, entry, ok := strings.Cut(line, ":")
		bad := func(why string) error { return fmt.Errorf("DIB_APT_SOURCES_CONF: entry %q: %s", line, why) }
		if !ok || !nameRE.MatchString(name) {
			return nil, bad("give NAME:deb URI SUITE COMPONENT... (NAME becomes sources.list.d/NAME.list)")
		}
		if seen[name] {
			return nil, bad("the name " + name + " is given twice")
		}
		seen[name] = true
		s, err := parseLine(entry)
		if err != nil {
			return nil, bad(err.Error())
		}
		s.Name = name
		out = append(out, s)
		if len(out) > maxSources {
			return nil, fmt.Errorf("DIB_APT_SOURCES_CONF: more than %d entries", maxSources)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("DIB_APT_SOURCES_CONF: no entry")
	}
	return out, nil
}

// parseLine reads one one-line "deb ..." entry.
func parseLine(entry string) (Source, error) {
	entry = strings.TrimSpace(entry)
	kind, rest, _ := strings.Cut(entry, " ")
	if kind != "deb" {
		return Source{}, fmt.Errorf("only deb entries make a base (not %q)", kind)
	}
	rest = strings.TrimSpace(rest)
	var s Source
	if strings.HasPrefix(rest, "[") {
		opts, after, ok := strings.Cut(rest[1:], "]")
		if !ok {
			return Source{}, fmt.Errorf("an unclosed [")
		}
		s.Options, rest = strings.TrimSpace(opts), after
	}
	f := strings.Fields(rest)
	if len(f) < 3 {
		return Source{}, fmt.Errorf("a URI, a suite and at least one component are needed")
	}
	s.URI, s.Suite, s.Components = f[0], f[1], f[2:]
	if err := CheckURI(s.URI); err != nil {
		return Source{}, err
	}
	if strings.HasSuffix(s.Suite, "/") || strings.Contains(s.Suite, "..") {
		return Source{}, fmt.Errorf("flat repositories (a suite ending in /) are not supported")
	}
	for _, c := range append([]string{s.Suite}, s.Components...) {
		if !wordRE.MatchString(c) {
			return Source{}, fmt.Errorf("bad suite or component %q", c)
		}
	}
	if strings.ContainsAny(s.Options, "\"'\\`$") {
		return Source{}, fmt.Errorf("quotes or shell characters in the options")
	}
	return s, nil
}

// wordRE is what a suite or component looks like.
var wordRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9.+_/-]{0,63}$`)

// CheckURI refuses a source URI that is not an http, https or file URL.
func CheckURI(m string) error {
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
