package sbom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
	"github.com/tripleo/diskimage-builder/sbom"
	"github.com/tripleo/diskimage-builder/sbom/sbomtest"
)

// example is a bill of materials with something of everything.
func example() sbom.BOM {
	return sbom.BOM{
		Name: "vm", Release: "trixie", OSName: "debian", OSVersion: "13", ImageVersion: "0123456789abcdef", Arch: "amd64", Epoch: time.Unix(1795252544, 0),
		Packages: []sbom.Package{
			{Name: "login", Version: "1:4.16.0-2+really2.41.5-0+deb13u1", Arch: "amd64", Source: "shadow", SourceVersion: "1:4.16.0-2+really2.41.5-0+deb13u1",
				Maintainer: "Shadow package maintainers <pkg-shadow-devel@lists.alioth.debian.org>", Depends: []string{"libpam0g (>= 0.99.7.1)", "libc6 | libc6.1"},
				Licenses: []sbom.License{{ID: "BSD-3-Clause"}, {Name: "Debian-Custom"}}},
			{Name: "busybox", Version: "1:1.37.0-6+b9", Arch: "amd64", Source: "busybox", SourceVersion: "1:1.37.0-6", Depends: []string{"libc6 (>= 2.38)"}},
			{Name: "libc6", Version: "2.41-12", Arch: "amd64", Source: "glibc", SourceVersion: "2.41-12", Provides: []string{"libc6.1"}},
		},
		Flavours: []sbom.Flavour{{Name: "vm", Digest: strings.Repeat("ab", 32)}},
		Outputs:  []sbom.Output{{Name: "vm.qcow2", SHA256: strings.Repeat("01", 32)}},
		Files: []sbom.File{
			{Path: "/usr/bin/busybox", Kind: "program", SHA256: strings.Repeat("02", 32), Package: "busybox"},
			{Path: "/init", Kind: "file", SHA256: strings.Repeat("03", 32)},
		},
	}
}

func write(t *testing.T, b sbom.BOM) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, b.Write(&buf))
	return buf.Bytes()
}

func TestABillOfMaterialsValidatesAgainstThePublishedCycloneDXSchema(t *testing.T) {
	testenv.RequireCommands(t, "go")
	doc := write(t, example())
	require.NoError(t, sbomtest.Validate(context.Background(), doc))

	bad := bytes.Replace(doc, []byte(`"type": "library"`), []byte(`"type": "deb-package"`), 1)
	assert.Error(t, sbomtest.Validate(context.Background(), bad), "the schema is really applied")
}

func TestABillOfMaterialsListsPackagesWithTheirPurlAndSourceAndFilesUnderThem(t *testing.T) {
	t.Parallel()
	d, err := sbomtest.Read(write(t, example()))
	require.NoError(t, err)
	assert.Equal(t, "1.6", d.SpecVersion)
	assert.Equal(t, "2026-11-21T09:15:44Z", d.Metadata.Timestamp, "the epoch, not the clock")
	assert.Equal(t, "vm", d.Metadata.Component.Name)
	byName := map[string]sbomtest.Component{}
	for _, c := range d.Components {
		byName[c.Name] = c
	}
	login := byName["login"]
	assert.Equal(t, "pkg:deb/debian/login@1:4.16.0-2%2Breally2.41.5-0%2Bdeb13u1?arch=amd64&distro=debian-13&upstream=shadow", login.PURL)
	require.Len(t, login.Pedigree.Ancestors, 1)
	assert.Equal(t, "shadow", login.Pedigree.Ancestors[0].Name, "the source package")
	assert.Equal(t, "shadow", login.Prop("dib:deb:source"))
	bb := byName["busybox"]
	require.Len(t, bb.Components, 1)
	assert.Equal(t, "/usr/bin/busybox", bb.Components[0].Name, "a file under its package")
	assert.Equal(t, "program", bb.Components[0].Prop("dib:file:kind"))
	assert.Equal(t, "1:1.37.0-6", bb.Pedigree.Ancestors[0].Version)
	assert.Equal(t, strings.Repeat("03", 32), byName["/init"].SHA256(), "a file of no package")
	assert.Equal(t, strings.Repeat("ab", 32), byName["vm"].SHA256(), "a flavour's digest")
	assert.Equal(t, "flavour", byName["vm"].Group)
	assert.Equal(t, strings.Repeat("01", 32), byName["vm.qcow2"].SHA256())
}

func TestTheSameBillOfMaterialsIsTheSameBytesAndItsSerialFollowsItsContent(t *testing.T) {
	t.Parallel()
	a, b := example(), example()
	b.Packages[0], b.Packages[1] = b.Packages[1], b.Packages[0] // order does not matter
	assert.Equal(t, write(t, a), write(t, b))
	c := example()
	c.Outputs[0].SHA256 = strings.Repeat("ff", 32)
	da, err := sbomtest.Read(write(t, a))
	require.NoError(t, err)
	dc, err := sbomtest.Read(write(t, c))
	require.NoError(t, err)
	assert.Regexp(t, `^urn:uuid:[0-9a-f-]{36}$`, da.SerialNumber)
	assert.NotEqual(t, da.SerialNumber, dc.SerialNumber)
}

// TestTheBillOfMaterialsIsShapedAsScannersReadAnOSImage: the image as
// metadata.component with a version; the operating system as a component
// of type operating-system named debian with its version, holding every
// package through the dependency graph; purls with upstream= and
// distro=debian-13; licenses (NOASSERTION when unknown), supplier, and the
// packages' own dependencies; the tool with its version.
func TestTheBillOfMaterialsIsShapedAsScannersReadAnOSImage(t *testing.T) {
	t.Parallel()
	var doc struct {
		Metadata struct {
			Tools struct {
				Components []struct{ Name, Version string } `json:"components"`
			} `json:"tools"`
			Component struct {
				BOMRef  string `json:"bom-ref"`
				Type    string `json:"type"`
				Version string `json:"version"`
			} `json:"component"`
		} `json:"metadata"`
		Components []struct {
			BOMRef   string `json:"bom-ref"`
			Type     string `json:"type"`
			Name     string `json:"name"`
			Version  string `json:"version"`
			PURL     string `json:"purl"`
			Supplier struct {
				Name string `json:"name"`
			} `json:"supplier"`
			Licenses []struct {
				License struct{ ID, Name string } `json:"license"`
			} `json:"licenses"`
		} `json:"components"`
		Dependencies []struct {
			Ref       string   `json:"ref"`
			DependsOn []string `json:"dependsOn"`
		} `json:"dependencies"`
	}
	require.NoError(t, json.Unmarshal(write(t, example()), &doc))
	assert.Equal(t, sbom.ToolVersion, doc.Metadata.Tools.Components[0].Version)
	assert.Equal(t, "0123456789abcdef", doc.Metadata.Component.Version)
	assert.NotEqual(t, "operating-system", doc.Metadata.Component.Type, "the image is not the OS")
	comps := map[string]int{}
	for i, c := range doc.Components {
		comps[c.Name] = i
	}
	os := doc.Components[comps["debian"]]
	assert.Equal(t, "operating-system", os.Type)
	assert.Equal(t, "13", os.Version)
	login := doc.Components[comps["login"]]
	assert.Equal(t, "Shadow package maintainers", login.Supplier.Name)
	require.Len(t, login.Licenses, 2)
	assert.Equal(t, "BSD-3-Clause", login.Licenses[0].License.ID)
	assert.Equal(t, "Debian-Custom", login.Licenses[1].License.Name)
	assert.Equal(t, "NOASSERTION", doc.Components[comps["busybox"]].Licenses[0].License.Name)
	assert.Contains(t, doc.Components[comps["busybox"]].PURL, "upstream=busybox%401:1.37.0-6", "the source's own version")
	d, err := sbomtest.Read(write(t, example()))
	require.NoError(t, err)
	for _, c := range d.Components {
		if c.Name == "busybox" {
			assert.Equal(t, "busybox", c.Prop("aquasecurity:trivy:SrcName"))
			assert.Equal(t, "1.37.0", c.Prop("aquasecurity:trivy:SrcVersion"))
			assert.Equal(t, "6", c.Prop("aquasecurity:trivy:SrcRelease"))
			assert.Equal(t, "1", c.Prop("aquasecurity:trivy:SrcEpoch"))
			assert.Equal(t, "1:1.37.0-6", c.Prop("syft:metadata:sourceVersion"))
		}
	}
	graph := map[string][]string{}
	for _, d := range doc.Dependencies {
		graph[d.Ref] = d.DependsOn
	}
	assert.Equal(t, []string{os.BOMRef}, graph[doc.Metadata.Component.BOMRef])
	assert.ElementsMatch(t, []string{login.PURL, doc.Components[comps["busybox"]].PURL, doc.Components[comps["libc6"]].PURL}, graph[os.BOMRef])
	assert.Equal(t, []string{doc.Components[comps["libc6"]].PURL}, graph[login.PURL], "libpam0g is not installed; libc6 | libc6.1 is libc6")
}
