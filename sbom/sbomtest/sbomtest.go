// Package sbomtest checks bills of materials in tests: against the
// CycloneDX JSON schema, read offline from the CycloneDX library's own
// module (which ships the published schemas), and by reading them back.
package sbomtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/sbom"
)

// library is the module whose source holds the schemas.
const library = "github.com/CycloneDX/cyclonedx-go"

// schemaBase is where the schemas say they are published.
const schemaBase = "http://cyclonedx.org/schema/"

// SchemaDir is the directory of the published CycloneDX schemas in the
// library's module (go list finds it in the module cache; no network).
func SchemaDir(ctx context.Context) (string, error) {
	dir, err := run.Output(ctx, "go", "list", "-m", "-f", "{{.Dir}}", library)
	if err != nil {
		return "", fmt.Errorf("find the CycloneDX schemas: %w", err)
	}
	return filepath.Join(dir, "schema"), nil
}

// Validate checks doc against the schema of the CycloneDX version sbom
// writes, formats (date-time, iri-reference...) included.
func Validate(ctx context.Context, doc []byte) error {
	dir, err := SchemaDir(ctx)
	if err != nil {
		return err
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// The schema refers to these two by their published names; the
	// library keeps the signature schema as jsf-0.82.schemax.json.
	files := map[string]string{
		"bom-" + sbomVersion() + ".schema.json": "bom-" + sbomVersion() + ".schema.json",
		"spdx.schema.json":                      "spdx.schema.json",
		"jsf-0.82.schema.json":                  "jsf-0.82.schemax.json",
	}
	for name, file := range files {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return fmt.Errorf("read schema: %w", err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("read schema %s: %w", file, err)
		}
		if err := c.AddResource(schemaBase+name, v); err != nil {
			return fmt.Errorf("read schema %s: %w", file, err)
		}
	}
	sch, err := c.Compile(schemaBase + "bom-" + sbomVersion() + ".schema.json")
	if err != nil {
		return fmt.Errorf("compile schema: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("read document: %w", err)
	}
	return sch.Validate(v)
}

// sbomVersion is the version sbom writes, as "1.6".
func sbomVersion() string { return sbom.Version.String() }

// Doc is the part of a CycloneDX document tests read back.
type Doc struct {
	SpecVersion  string `json:"specVersion"`
	SerialNumber string `json:"serialNumber"`
	Metadata     struct {
		Timestamp string    `json:"timestamp"`
		Component Component `json:"component"`
	} `json:"metadata"`
	Components []Component `json:"components"`
}

// Component is a component of a document.
type Component struct {
	Type       string      `json:"type"`
	Group      string      `json:"group"`
	Name       string      `json:"name"`
	Version    string      `json:"version"`
	PURL       string      `json:"purl"`
	Hashes     []Hash      `json:"hashes"`
	Properties []Property  `json:"properties"`
	Components []Component `json:"components"`
	Pedigree   struct {
		Ancestors []Component `json:"ancestors"`
	} `json:"pedigree"`
}

// Hash is a component's hash.
type Hash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

// Property is a name and value.
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Prop returns the value of the property name, or "".
func (c Component) Prop(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// SHA256 returns the component's SHA-256, or "".
func (c Component) SHA256() string {
	for _, h := range c.Hashes {
		if h.Alg == "SHA-256" {
			return h.Content
		}
	}
	return ""
}

// Read parses a document.
func Read(data []byte) (Doc, error) {
	var d Doc
	err := json.Unmarshal(data, &d)
	return d, err
}
