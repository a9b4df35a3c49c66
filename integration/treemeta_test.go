package integration

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// pathMeta is what the comparison of two trees looks at for one path:
// everything but times and contents.
type pathMeta struct {
	Type     byte
	UID, GID int
	Mode     int64
	Link     string // symbolic link target, or the first name of a hard-link group
	Xattrs   string // extended attributes (capabilities, ACLs...), sorted
}

func (m pathMeta) String() string {
	return fmt.Sprintf("type %c %d:%d %04o link %q xattrs [%s]", m.Type, m.UID, m.GID, m.Mode, m.Link, m.Xattrs)
}

// tarMeta reads the metadata of every path of a tar written by the disk
// stage (numeric owners, xattrs in PAX records, sorted names, so that a
// hard-link group is always named by its first member), and the contents
// of the files named in keep.
func tarMeta(t *testing.T, path string, keep ...string) (map[string]pathMeta, map[string]string) {
	t.Helper()
	fh, err := os.Open(path)
	require.NoError(t, err)
	defer fh.Close()
	meta, contents := map[string]pathMeta{}, map[string]string{}
	tr := tar.NewReader(fh)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return meta, contents
		}
		require.NoError(t, err)
		var xattrs []string
		for k, v := range h.PAXRecords {
			if strings.HasPrefix(k, "SCHILY.") {
				xattrs = append(xattrs, fmt.Sprintf("%s=%x", k, v))
			}
		}
		sort.Strings(xattrs)
		name := strings.TrimPrefix(h.Name, "./")
		meta[name] = pathMeta{Type: h.Typeflag, UID: h.Uid, GID: h.Gid, Mode: h.Mode & 0o7777, Link: h.Linkname,
			Xattrs: strings.Join(xattrs, " ")}
		for _, k := range keep {
			if k == name {
				data, err := io.ReadAll(tr)
				require.NoError(t, err)
				contents[name] = string(data)
			}
		}
	}
}

// metaDiff lists the paths whose metadata differ between a and b, at most
// limit of them, and how many differ.
func metaDiff(a, b map[string]pathMeta, limit int) ([]string, int) {
	names := map[string]bool{}
	for n := range a {
		names[n] = true
	}
	for n := range b {
		names[n] = true
	}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	var out []string
	count := 0
	for _, n := range sorted {
		ma, inA := a[n]
		mb, inB := b[n]
		if inA && inB && ma == mb {
			continue
		}
		count++
		if len(out) < limit {
			out = append(out, fmt.Sprintf("%s: %s | %s", n, describe(ma, inA), describe(mb, inB)))
		}
	}
	return out, count
}

func describe(m pathMeta, ok bool) string {
	if !ok {
		return "missing"
	}
	return m.String()
}
