package sbom

import (
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// The bom-refs of the image and of its operating system.
const (
	imageRef = "image"
	osRef    = "os"
)

// ShortDigest is the first 16 hex digits of a digest: the version a bill
// of materials gives its image.
func ShortDigest(d string) string { return d[:min(16, len(d))] }

// distro is the version part of the purls' distro qualifier: VERSION_ID
// ("13"), else the codename.
func (b BOM) distro() string {
	if b.OSVersion != "" {
		return b.OSVersion
	}
	return b.Release
}

// packageComponent is a Debian package: its purl (with its source package
// as upstream=, as Syft and Grype write and read it), its licenses, its
// maintainer as supplier, and its source as pedigree.
func (b BOM) packageComponent(p Package) cdx.Component {
	purl := DebPURLOf(b, p)
	src := PURL(p.Source, p.SourceVersion, "source", b.distro())
	c := cdx.Component{BOMRef: purl, Type: cdx.ComponentTypeLibrary, Name: p.Name, Version: p.Version, PackageURL: purl,
		Licenses:   licenseChoices(p.Licenses),
		Properties: scannerProperties(p),
		Pedigree: &cdx.Pedigree{Ancestors: &[]cdx.Component{{BOMRef: purl + "#source", Type: cdx.ComponentTypeLibrary,
			Name: p.Source, Version: p.SourceVersion, PackageURL: src}}}}
	if p.Maintainer != "" {
		name, email := splitContact(p.Maintainer)
		c.Supplier = &cdx.OrganizationalEntity{Name: name}
		if email != "" {
			c.Supplier.Contact = &[]cdx.OrganizationalContact{{Name: name, Email: email}}
		}
		c.Author, c.Publisher = p.Maintainer, p.Maintainer
	}
	return c
}

// scannerProperties are a package's own properties and those through
// which scanners read its source package, which neither reads back from
// the purl's upstream=: Trivy's (it matches Debian's security tracker by
// source name and version) and Syft's (a dpkg database entry, whose
// publisher is the maintainer).
func scannerProperties(p Package) *[]cdx.Property {
	epoch, version, revision := debianVersion(p.SourceVersion)
	props := []cdx.Property{{Name: "dib:deb:arch", Value: p.Arch}, {Name: "dib:deb:source", Value: p.Source},
		{Name: "aquasecurity:trivy:PkgType", Value: "debian"},
		{Name: "aquasecurity:trivy:SrcName", Value: p.Source}, {Name: "aquasecurity:trivy:SrcVersion", Value: version}}
	if revision != "" {
		props = append(props, cdx.Property{Name: "aquasecurity:trivy:SrcRelease", Value: revision})
	}
	if epoch != "" {
		props = append(props, cdx.Property{Name: "aquasecurity:trivy:SrcEpoch", Value: epoch})
	}
	props = append(props, cdx.Property{Name: "syft:package:type", Value: "deb"},
		cdx.Property{Name: "syft:package:metadataType", Value: "dpkg-db-entry"},
		cdx.Property{Name: "syft:metadata:source", Value: p.Source},
		cdx.Property{Name: "syft:metadata:sourceVersion", Value: p.SourceVersion})
	return &props
}

// debianVersion splits a Debian version [EPOCH:]UPSTREAM[-REVISION].
func debianVersion(v string) (epoch, upstream, revision string) {
	if e, rest, ok := strings.Cut(v, ":"); ok {
		epoch, v = e, rest
	}
	if i := strings.LastIndex(v, "-"); i >= 0 {
		return epoch, v[:i], v[i+1:]
	}
	return epoch, v, ""
}

// licenseChoices are a package's licenses; NOASSERTION when its copyright
// file says none in a form that can be read.
func licenseChoices(ls []License) *cdx.Licenses {
	if len(ls) == 0 {
		return &cdx.Licenses{{License: &cdx.License{Name: "NOASSERTION"}}}
	}
	out := make(cdx.Licenses, 0, len(ls))
	for _, l := range ls {
		out = append(out, cdx.LicenseChoice{License: &cdx.License{ID: l.ID, Name: l.Name}})
	}
	return &out
}

// splitContact splits "Name <address>".
func splitContact(s string) (name, email string) {
	name, rest, ok := strings.Cut(s, "<")
	if !ok {
		return strings.TrimSpace(s), ""
	}
	return strings.TrimSpace(name), strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), ">"))
}
