package sbom

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// dpkgStatus is dpkg's database of packages, inside a root.
const dpkgStatus = "/var/lib/dpkg/status"

// maxStatus bounds what is read of a status file (a full desktop's is a
// few MB) and maxLine one of its lines.
const (
	maxStatus = 256 << 20
	maxLine   = 1 << 20
)

// ReadPackages returns the packages installed in the root tree (dpkg's
// status "install ok installed", as dpkg-query -W shows them), in the
// order of the database. The status file is read inside the tree (links
// resolved there) and bounded in size.
func ReadPackages(tree string) ([]Package, error) {
	host, err := inroot.HostPath(tree, dpkgStatus)
	if err != nil {
		return nil, fmt.Errorf("read packages of %s: %w", tree, err)
	}
	fh, err := os.Open(host)
	if err != nil {
		return nil, fmt.Errorf("read packages of %s: %w", tree, err)
	}
	defer fh.Close()
	pkgs, err := parseStatus(io.LimitReader(fh, maxStatus+1))
	if err != nil {
		return nil, fmt.Errorf("read packages of %s: %s: %w", tree, dpkgStatus, err)
	}
	for i := range pkgs {
		pkgs[i].Licenses = Licenses(tree, pkgs[i].Name)
	}
	return pkgs, nil
}

// parseStatus reads dpkg status stanzas and keeps the installed packages.
func parseStatus(r io.Reader) ([]Package, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	var pkgs []Package
	fields := map[string]string{}
	read := 0
	flush := func() {
		if strings.HasSuffix(fields["Status"], " installed") && fields["Package"] != "" {
			pkgs = append(pkgs, packageOf(fields))
		}
		fields = map[string]string{}
	}
	for sc.Scan() {
		line := sc.Text()
		if read += len(line) + 1; read > maxStatus {
			return nil, errors.New("larger than it can be")
		}
		switch {
		case strings.TrimSpace(line) == "":
			flush()
		case line[0] == ' ' || line[0] == '\t':
			// a continuation of a multi-line field: not needed
		default:
			if k, v, ok := strings.Cut(line, ":"); ok {
				fields[k] = strings.TrimSpace(v)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	return pkgs, nil
}

// packageOf is the package a status stanza describes. Source is "NAME" or
// "NAME (VERSION)" when the source's version differs from the package's.
func packageOf(f map[string]string) Package {
	p := Package{Name: f["Package"], Version: f["Version"], Arch: f["Architecture"], Source: f["Package"], SourceVersion: f["Version"],
		Maintainer: f["Maintainer"], Provides: names(f["Provides"])}
	for _, field := range []string{"Pre-Depends", "Depends"} {
		for _, group := range strings.Split(f[field], ",") {
			if g := strings.TrimSpace(group); g != "" {
				p.Depends = append(p.Depends, g)
			}
		}
	}
	if src := strings.TrimSpace(f["Source"]); src != "" {
		name, ver, ok := strings.Cut(src, " ")
		p.Source = name
		if ok {
			p.SourceVersion = strings.Trim(strings.TrimSpace(ver), "()")
		}
	}
	return p
}

// names are the package names of a Provides-like list: "a (= 1), b:any"
// gives a and b.
func names(list string) []string {
	var out []string
	for _, item := range strings.Split(list, ",") {
		if n := depName(item); n != "" {
			out = append(out, n)
		}
	}
	return out
}

// depName is the package name of one relation: "libc6 (>= 2.36)" and
// "python3:any" give libc6 and python3.
func depName(rel string) string {
	rel = strings.TrimSpace(rel)
	if i := strings.IndexAny(rel, " (["); i >= 0 {
		rel = rel[:i]
	}
	name, _, _ := strings.Cut(rel, ":")
	return name
}

// PURL is the package URL of a Debian package of release: pkg:deb/debian/
// NAME@VERSION?arch=ARCH&distro=debian-RELEASE, its parts percent-encoded
// as the purl specification says.
func PURL(name, version, arch, release string) string {
	return DebPURL(name, version, arch, "", release)
}

// DebPURL is PURL with upstream=SOURCE[@VERSION] when upstream is not
// empty, as Syft writes and Grype reads it to match a binary package to
// its source.
func DebPURL(name, version, arch, upstream, release string) string {
	m := map[string]string{"arch": arch, "distro": "debian-" + release}
	if upstream != "" {
		m["upstream"] = upstream
	}
	return packageurl.NewPackageURL(packageurl.TypeDebian, "debian", name, version, packageurl.QualifiersFromMap(m), "").ToString()
}

// DebPURLOf is the purl (and bom-ref) b gives package p: its source as
// upstream, with the source's version when it differs.
func DebPURLOf(b BOM, p Package) string {
	upstream := p.Source
	if p.SourceVersion != p.Version {
		upstream += "@" + p.SourceVersion
	}
	return DebPURL(p.Name, p.Version, p.Arch, upstream, b.distro())
}
