package archivetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ulikunitz/xz"

	"github.com/tripleo/diskimage-builder/rootfs/archive"
	"github.com/tripleo/diskimage-builder/sbom/sbomtest"
)

// Newest fetches the Packages.xz index of each source's components for
// arch and returns the newest version of every "NAME:ARCH" they list: what
// the archive offered when a base was made from the suites whose InRelease
// hashes recorded gives (suite name to SHA-256). A suite whose InRelease
// has moved on since is read from the indices the state files of the
// cache's bases (cacheDir/base/*.archive) recorded for that InRelease,
// through the archive's by-hash directory, so that the answer is the
// archive as the build saw it.
func Newest(t TB, srcs []archive.Source, arch string, recorded map[string]string, cacheDir string) map[string]string {
	t.Helper()
	ctx := context.Background()
	newest := map[string]string{}
	for _, src := range srcs {
		want, ok := recorded[src.Suite]
		if !ok {
			t.Fatalf("the bill of materials records no state of suite %s", src.Suite)
		}
		indices := indicesOf(t, ctx, src, arch, want, cacheDir)
		for _, ix := range indices {
			// The architecture's own index, which holds the "all"
			// packages too in Debian (No-Support-for-Architecture-all:
			// Packages): apt reads no other.
			if filepath.Ext(ix.Path) != ".xz" || !strings.Contains(ix.Path, "/binary-"+arch+"/") {
				continue
			}
			data, err := archive.Get(ctx, src.URL(filepath.Dir(ix.Path)+"/by-hash/SHA256/"+ix.SHA256), 1<<30)
			if err != nil {
				// Not every mirror serves by-hash: the index by name,
				// checked against the hash the InRelease gave.
				if data, err = archive.Get(ctx, src.URL(ix.Path), 1<<30); err != nil {
					t.Fatal(err)
				}
			}
			if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != ix.SHA256 {
				t.Fatalf("%s: not the index its InRelease names", src.URL(ix.Path))
			}
			r, err := xz.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if err := archive.Newest(io.Reader(r), newest); err != nil {
				t.Fatal(err)
			}
		}
	}
	return newest
}

// indicesOf are the package indices of src as its InRelease of SHA-256
// want listed them: today's, or those a base's state file recorded.
func indicesOf(t TB, ctx context.Context, src archive.Source, arch, want, cacheDir string) []archive.Index {
	t.Helper()
	data, err := archive.Get(ctx, src.URL("InRelease"), 16<<20)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) == want {
		_, indices, err := archive.ParseRelease(data, src.Components, arch)
		if err != nil {
			t.Fatal(err)
		}
		return indices
	}
	states, _ := filepath.Glob(filepath.Join(cacheDir, "base", "*.archive"))
	for _, p := range states {
		st, err := archive.Read(p)
		if err != nil {
			continue
		}
		for _, s := range st.Suites {
			if s.InRelease == want {
				return s.Indices
			}
		}
	}
	t.Fatalf("%s moved on since the build, and no cached base recorded its InRelease %s", src.URL("InRelease"), want)
	return nil
}

// RequireCurrent checks that every Debian package the bill of materials
// at bom lists is at the newest version srcs offered when the build ran
// (see Newest), and returns how many it checked.
func RequireCurrent(t TB, bom string, srcs []archive.Source, arch, cacheDir string) int {
	t.Helper()
	data, err := os.ReadFile(bom)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := sbomtest.Read(data)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]string{}
	for _, p := range doc.Metadata.Component.Properties {
		if rest, ok := strings.CutPrefix(p.Name, "dib:archive:"); ok {
			if suite, ok := strings.CutSuffix(rest, ":inrelease-sha256"); ok {
				recorded[suite] = p.Value
			}
		}
	}
	newest := Newest(t, srcs, arch, recorded, cacheDir)
	n := 0
	for _, c := range doc.Components {
		a := c.Prop("dib:deb:arch")
		if a == "" {
			continue
		}
		n++
		v, ok := newest[c.Name+":"+a]
		if !ok {
			t.Errorf("%s %s (%s) is in no index of the archive", c.Name, c.Version, a)
			continue
		}
		if v != c.Version {
			t.Errorf("%s is %s where the archive offered %s", c.Name, c.Version, v)
		}
	}
	return n
}
