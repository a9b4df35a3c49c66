package sbom_test

import (
	"bytes"
	"context"
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
		Name: "vm", Release: "trixie", Arch: "amd64", Epoch: time.Unix(1795252544, 0),
		Packages: []sbom.Package{
			{Name: "login", Version: "1:4.16.0-2+really2.41.5-0+deb13u1", Arch: "amd64", Source: "shadow", SourceVersion: "1:4.16.0-2+really2.41.5-0+deb13u1"},
			{Name: "busybox", Version: "1:1.37.0-6+b9", Arch: "amd64", Source: "busybox", SourceVersion: "1:1.37.0-6"},
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
	assert.Equal(t, "pkg:deb/debian/login@1:4.16.0-2%2Breally2.41.5-0%2Bdeb13u1?arch=amd64&distro=debian-trixie", login.PURL)
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
