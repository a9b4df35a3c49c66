// Package sbom writes the software bill of materials that goes beside every
// output set: NAME.cdx.json, a CycloneDX 1.6 document (JSON) made with the
// CycloneDX project's own Go library. It lists every Debian package of the
// image (name, version, architecture, source package as its pedigree, and
// a purl pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=debian-RELEASE), the
// flavours the image was built from with the digest of their content, the
// outputs with their SHA-256, and for a ramdisk every file it carries
// (programs, libraries, kernel modules, firmware) under the package it came
// from.
//
// The document is reproducible like the outputs: its time is the build's
// SOURCE_DATE_EPOCH, its serial number a name-based UUID of its content,
// and every list is sorted.
package sbom

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/uuid"
	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/rootfs/archive"
)

// Ext is the file name extension of a bill of materials: NAME.cdx.json.
const Ext = ".cdx.json"

// Version is the CycloneDX specification version written.
const Version = cdx.SpecVersion1_6

// Package is one installed Debian package.
type Package struct {
	Name, Version, Arch string
	// Source and SourceVersion name the source package it was built from
	// (dpkg's Source field; the package itself when it has none).
	Source, SourceVersion string
	Maintainer            string    // "Name <address>", its supplier
	Depends               []string  // Pre-Depends and Depends: each alternative group, "a | b"
	Provides              []string  // the virtual packages it provides
	Licenses              []License // from its machine-readable copyright file (see Licenses)
}

// Flavour is a flavour the image was built from.
type Flavour struct {
	Name   string
	Digest string // flavours.Flavour.Digest: SHA-256 of its files, modes and contents
}

// Output is one output file of the set.
type Output struct {
	Name   string // file name, without directory
	SHA256 string
}

// File is one file an output carries (a ramdisk's programs, libraries,
// modules and firmware).
type File struct {
	Path    string // in the output
	Kind    string // see Kind
	SHA256  string
	Package string // the package it came from; "" when none
}

// Suite is the state of one archive suite when the base was made.
type Suite struct {
	Name      string    // e.g. trixie-security
	Date      time.Time // its InRelease's Date
	InRelease string    // the SHA-256 of its InRelease, in hex
}

// ToolVersion is this project's version, as the documents name their tool.
const ToolVersion = "2026.12"

// BOM is the bill of materials of one output set.
type BOM struct {
	Name    string // the outputs' name, without directory or extension
	Release string // Debian release (codename)
	// OSName and OSVersion are the image's os-release ID and VERSION_ID
	// ("debian", "13"): its operating-system component, and the purls'
	// distro=debian-13 (the release's codename when VERSION_ID is empty,
	// as for testing).
	OSName, OSVersion string
	// ImageVersion identifies the outputs' build: the digest of its inputs.
	ImageVersion string
	Arch         string
	Epoch        time.Time // the build's SOURCE_DATE_EPOCH, the document's time
	// Archive is the state of the archive suites the packages came from.
	Archive  []Suite
	Packages []Package
	Flavours []Flavour
	Outputs  []Output
	Files    []File
}

// Write writes b as a CycloneDX JSON document.
func (b BOM) Write(w io.Writer) error {
	doc := b.document()
	var first bytes.Buffer
	if err := encode(&first, doc); err != nil {
		return err
	}
	doc.SerialNumber = "urn:uuid:" + uuid.NewSHA1(serialNamespace, first.Bytes()).String()
	return encode(w, doc)
}

// serialNamespace scopes the documents' serial numbers to this project.
var serialNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/tripleo/diskimage-builder/sbom"))

func encode(w io.Writer, doc *cdx.BOM) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(doc, Version); err != nil {
		return fmt.Errorf("write bill of materials: %w", err)
	}
	return nil
}

// imageProperties describe the image: its architecture, release, epoch,
// and each archive suite's Date and InRelease hash.
func (b BOM) imageProperties() *[]cdx.Property {
	props := []cdx.Property{{Name: "dib:arch", Value: b.Arch}, {Name: "dib:release", Value: b.Release},
		{Name: "dib:source-date-epoch", Value: fmt.Sprint(b.Epoch.Unix())}}
	for _, s := range b.Archive {
		props = append(props, cdx.Property{Name: "dib:archive:" + s.Name + ":date", Value: s.Date.UTC().Format(time.RFC3339)},
			cdx.Property{Name: "dib:archive:" + s.Name + ":inrelease-sha256", Value: s.InRelease})
	}
	return &props
}

// document is b as a CycloneDX BOM, every list sorted.
func (b BOM) document() *cdx.BOM {
	doc := cdx.NewBOM()
	doc.Metadata = &cdx.Metadata{
		Timestamp: b.Epoch.UTC().Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Group: "tripleo", Name: "diskimage-builder", Version: ToolVersion}}},
		// The image as a whole: the files of the output set.
		Component: &cdx.Component{BOMRef: imageRef, Type: cdx.ComponentTypeFile, Name: b.Name, Version: b.ImageVersion,
			Properties: b.imageProperties()},
	}
	files := map[string][]cdx.Component{} // by package
	for _, f := range sortedFiles(b.Files) {
		files[f.Package] = append(files[f.Package], fileComponent(f))
	}
	var comps []cdx.Component
	if b.OSName != "" {
		// Scanners take the operating system from this component and its
		// packages from its dependencies.
		comps = append(comps, cdx.Component{BOMRef: osRef, Type: cdx.ComponentTypeOS, Name: b.OSName, Version: b.OSVersion})
	}
	for _, p := range sortedPackages(b.Packages) {
		c := b.packageComponent(p)
		if fs := files[p.Name]; len(fs) > 0 {
			c.Components = &fs
		}
		comps = append(comps, c)
	}
	comps = append(comps, files[""]...)
	for _, f := range sortedFlavours(b.Flavours) {
		comps = append(comps, cdx.Component{BOMRef: "flavour:" + f.Name, Type: cdx.ComponentTypeData, Group: "flavour", Name: f.Name,
			Description: "diskimage-builder flavour; its digest is the SHA-256 of its files' paths, modes and contents",
			Hashes:      &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: f.Digest}}})
	}
	for _, o := range sortedOutputs(b.Outputs) {
		comps = append(comps, cdx.Component{BOMRef: "output:" + o.Name, Type: cdx.ComponentTypeFile, Name: o.Name,
			Hashes: &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: o.SHA256}}})
	}
	if len(comps) > 0 {
		doc.Components = &comps
	}
	doc.Dependencies = b.dependencies()
	return doc
}

// fileComponent is a file an output carries.
func fileComponent(f File) cdx.Component {
	return cdx.Component{BOMRef: "file:" + f.Path, Type: cdx.ComponentTypeFile, Name: f.Path,
		Hashes:     &[]cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: f.SHA256}},
		Properties: &[]cdx.Property{{Name: "dib:file:kind", Value: f.Kind}}}
}

func sortedPackages(in []Package) []Package {
	out := append([]Package(nil), in...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Arch < out[j].Arch
	})
	return out
}

func sortedFiles(in []File) []File {
	out := append([]File(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func sortedFlavours(in []Flavour) []Flavour {
	out := append([]Flavour(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func sortedOutputs(in []Output) []Output {
	out := append([]Output(nil), in...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FlavoursOf lists the flavours of set with their digests.
func FlavoursOf(set *flavours.Set) ([]Flavour, error) {
	var out []Flavour
	for _, f := range set.Flavours {
		d, err := f.Digest()
		if err != nil {
			return nil, err
		}
		out = append(out, Flavour{Name: f.Name, Digest: d})
	}
	return out, nil
}

// ArchiveOf is the bill of materials' view of the archive state a base
// was made from.
func ArchiveOf(st archive.State) []Suite {
	var out []Suite
	for _, s := range st.Suites {
		out = append(out, Suite{Name: s.Suite, Date: s.Date, InRelease: s.InRelease})
	}
	return out
}
