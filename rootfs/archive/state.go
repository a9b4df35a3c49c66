package archive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// State is the archive's state as a base saw it: one entry per source, in
// the sources' order.
type State struct {
	Suites []Suite `json:"suites"`
}

// Suite is the state of one source's suite.
type Suite struct {
	URI   string    `json:"uri"`
	Suite string    `json:"suite"`
	Date  time.Time `json:"date"` // the InRelease's Date
	// InRelease is the SHA-256 of the InRelease file, in hex.
	InRelease string `json:"inrelease_sha256"`
	// Indices are the package indices of the source's components and
	// architecture that the InRelease lists, sorted by path.
	Indices []Index `json:"indices"`
}

// Index is one package index an InRelease lists.
type Index struct {
	Path   string `json:"path"` // below dists/SUITE, e.g. main/binary-amd64/Packages.xz
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Epoch is the newest Date of the suites: the time the base stands for.
func (s State) Epoch() time.Time {
	var t time.Time
	for _, x := range s.Suites {
		if x.Date.After(t) {
			t = x.Date
		}
	}
	return t
}

// Newest is the suite with the newest Date.
func (s State) Newest() Suite {
	var n Suite
	for _, x := range s.Suites {
		if x.Date.After(n.Date) || n.Suite == "" {
			n = x
		}
	}
	return n
}

// Describe names the newest suite and its Date, for the log:
// "trixie-security 2026-12-07T18:22Z".
func (s State) Describe() string {
	n := s.Newest()
	return n.Suite + " " + n.Date.UTC().Format("2006-01-02T15:04Z")
}

// SameIndices reports whether o lists the same sources with the same
// package indices as s: nothing a base is made of changed between them,
// though an InRelease may have been signed again.
func (s State) SameIndices(o State) bool {
	return slices.EqualFunc(s.Suites, o.Suites, func(a, b Suite) bool {
		return a.URI == b.URI && a.Suite == b.Suite && slices.Equal(a.Indices, b.Indices)
	})
}

// Lines describe each suite for a build's inputs and its bill of
// materials: "archive SUITE date DATE inrelease SHA256", in order.
func (s State) Lines() []string {
	var out []string
	for _, x := range s.Suites {
		out = append(out, fmt.Sprintf("archive %s date %s inrelease %s", x.Suite, x.Date.UTC().Format(time.RFC3339), x.InRelease))
	}
	return out
}

// maxState bounds what is read of a state file.
const maxState = 4 << 20

// Read reads a state written by Write.
func Read(path string) (State, error) {
	var s State
	data, err := readBounded(path, maxState)
	if err != nil {
		return s, fmt.Errorf("archive state: %w", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, fmt.Errorf("archive state %s: %w", path, err)
	}
	if len(s.Suites) == 0 {
		return s, fmt.Errorf("archive state %s: no suite", path)
	}
	return s, nil
}

// JSON is the state as Read reads it.
func (s State) JSON() []byte {
	data, _ := json.MarshalIndent(s, "", "  ")
	return append(data, '\n')
}

// ParseRelease reads the Date of a Release text and the SHA256 entries of
// the package indices of comps for arch (and "all").
func ParseRelease(text []byte, comps []string, arch string) (time.Time, []Index, error) {
	var date time.Time
	var indices []Index
	want := indexRE(comps, arch)
	inSHA := false
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] != ' ' {
			inSHA = strings.HasPrefix(line, "SHA256:")
			if v, ok := strings.CutPrefix(line, "Date:"); ok {
				t, err := ParseDate(strings.TrimSpace(v))
				if err != nil {
					return date, nil, err
				}
				date = t
			}
			continue
		}
		if !inSHA {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 || !want.MatchString(f[2]) {
			continue
		}
		size, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil || len(f[0]) != 64 {
			return date, nil, fmt.Errorf("bad SHA256 entry %q", line)
		}
		indices = append(indices, Index{Path: f[2], SHA256: f[0], Size: size})
		if len(indices) > 4096 {
			return date, nil, errors.New("too many package indices")
		}
	}
	if err := sc.Err(); err != nil {
		return date, nil, err
	}
	if date.IsZero() {
		return date, nil, errors.New("no Date field")
	}
	slices.SortFunc(indices, func(a, b Index) int { return strings.Compare(a.Path, b.Path) })
	return date, indices, nil
}

// indexRE matches the paths of the Packages indices of comps for arch.
func indexRE(comps []string, arch string) *regexp.Regexp {
	var qs []string
	for _, c := range comps {
		qs = append(qs, regexp.QuoteMeta(c))
	}
	return regexp.MustCompile(`^(` + strings.Join(qs, "|") + `)/binary-(` + regexp.QuoteMeta(arch) + `|all)/Packages(\.[a-z0-9]+)?$`)
}

// dateLayouts are the forms of Date in Debian release files (RFC 2822
// with the zone as UTC or +0000).
var dateLayouts = []string{time.RFC1123, time.RFC1123Z, "Mon, 2 Jan 2006 15:04:05 MST", "Mon, 2 Jan 2006 15:04:05 -0700"}

// ParseDate reads the value of a release file's Date field.
func ParseDate(v string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("release file: unreadable Date %q", v)
}
