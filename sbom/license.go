package sbom

import (
	"bufio"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// maxCopyright bounds what is read of one package's copyright file.
const maxCopyright = 4 << 20

// dep5Format is in the Format field of a machine-readable copyright file
// (DEP-5: http or https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/).
const dep5Format = "www.debian.org/doc/packaging-manuals/copyright-format/1.0"

// Licenses returns the licenses the copyright file of package name in
// tree declares: for a machine-readable (DEP-5) file, the license names of
// its License fields, each as an SPDX identifier where Debian's short
// name has one (GPL-2+ is GPL-2.0-or-later), else as it is written; for
// any other file, or none, nil: nothing is guessed.
func Licenses(tree, name string) []License {
	host, err := inroot.HostPath(tree, "/usr/share/doc/"+name+"/copyright")
	if err != nil {
		return nil
	}
	fi, err := os.Lstat(host)
	if err != nil || !fi.Mode().IsRegular() {
		return nil // a link (to a shared copyright, often) is not followed
	}
	fh, err := os.Open(host)
	if err != nil {
		return nil
	}
	defer fh.Close()
	return dep5Licenses(io.LimitReader(fh, maxCopyright))
}

// License is one license of a package: an SPDX identifier, or a name.
type License struct {
	ID, Name string
}

// dep5Licenses reads the License fields of a DEP-5 copyright file, in the
// order first seen, each once.
func dep5Licenses(r io.Reader) []License {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	if !sc.Scan() {
		return nil
	}
	if v, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "Format:"); !ok || !strings.Contains(v, dep5Format) {
		return nil
	}
	var out []License
	seen := map[string]bool{}
	for sc.Scan() {
		v, ok := strings.CutPrefix(sc.Text(), "License:")
		if !ok {
			continue
		}
		for _, name := range licenseNames(v) {
			if !seen[name] {
				seen[name] = true
				out = append(out, licenseOf(name))
			}
		}
	}
	return out
}

// licenseNames are the license short names of a License field's first
// line: "GPL-2+ or Artistic" gives GPL-2+ and Artistic.
func licenseNames(v string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '(' || r == ')' }) {
		if l := strings.ToLower(w); l == "or" || l == "and" || l == "with" || l == "exception" {
			continue
		}
		if len(w) > 64 || slices.Contains(out, w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// licenseOf is the license of a DEP-5 short name.
func licenseOf(name string) License {
	if id, ok := spdxOf[name]; ok {
		return License{ID: id}
	}
	if id, ok := spdxOf[strings.ToLower(name)]; ok {
		return License{ID: id}
	}
	return License{Name: name}
}

// spdxOf maps the short names of copyright-format 1.0's "License short
// name" table (and their common spellings) to SPDX identifiers.
var spdxOf = map[string]string{
	"apache-2.0": "Apache-2.0", "artistic-1.0": "Artistic-1.0", "artistic-2.0": "Artistic-2.0", "artistic": "Artistic-1.0",
	"bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause", "bsd-4-clause": "BSD-4-Clause",
	"cc0-1.0": "CC0-1.0", "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0",
	"expat": "MIT", "mit": "MIT", "isc": "ISC", "zlib": "Zlib", "mpl-1.1": "MPL-1.1", "mpl-2.0": "MPL-2.0",
	"gpl-1": "GPL-1.0-only", "gpl-1+": "GPL-1.0-or-later", "gpl-2": "GPL-2.0-only", "gpl-2+": "GPL-2.0-or-later",
	"gpl-3": "GPL-3.0-only", "gpl-3+": "GPL-3.0-or-later", "lgpl-2": "LGPL-2.0-only", "lgpl-2+": "LGPL-2.0-or-later",
	"lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later", "lgpl-3": "LGPL-3.0-only", "lgpl-3+": "LGPL-3.0-or-later",
	"agpl-3": "AGPL-3.0-only", "agpl-3+": "AGPL-3.0-or-later", "gfdl-1.2": "GFDL-1.2-only", "gfdl-1.2+": "GFDL-1.2-or-later",
	"gfdl-1.3": "GFDL-1.3-only", "gfdl-1.3+": "GFDL-1.3-or-later", "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0",
	"python-2.0": "Python-2.0", "psf-2.0": "PSF-2.0", "openssl": "OpenSSL", "curl": "curl", "bsl-1.0": "BSL-1.0",
	"unicode-dfs-2016": "Unicode-DFS-2016", "ofl-1.1": "OFL-1.1", "x11": "X11", "wtfpl": "WTFPL", "0bsd": "0BSD",
}
