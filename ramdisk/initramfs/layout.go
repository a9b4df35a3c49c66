package initramfs

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// maxLinks bounds the archive symlinks followed to place one record.
const maxLinks = 40

// layout returns the records to write, by archive name. A record whose
// parent directories pass through a symlink record is moved to where the
// kernel would put it when unpacking (so /bin/sh with /bin -> usr/bin is
// written as usr/bin/sh), and missing parents are added as directories.
func (a *Archive) layout() (map[string]Record, error) {
	recs := make(map[string]Record, len(a.records))
	for k, v := range a.records {
		recs[k] = v
	}
	for pass := 0; ; pass++ {
		if pass > maxLinks {
			return nil, fmt.Errorf("write archive: symlinks between directories do not settle")
		}
		changed := false
		for _, name := range sortedNames(recs) {
			r, ok := recs[name]
			if !ok {
				continue
			}
			dir, err := resolveDir(recs, path.Dir(name))
			if err != nil {
				return nil, fmt.Errorf("write archive: place %s: %w", name, err)
			}
			moved := path.Join(dir, path.Base(name))
			if moved == name {
				continue
			}
			delete(recs, name)
			changed = true
			old, taken := recs[moved]
			switch {
			case !taken || (old.Weak && !r.Weak):
				recs[moved] = r
			case r.Weak || old.equal(r):
			default:
				return nil, fmt.Errorf("write archive: /%s lands on /%s through a symlink, which already holds a %s", name, moved, old.Kind)
			}
		}
		if !changed {
			break
		}
	}
	for _, name := range sortedNames(recs) {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			r, ok := recs[d]
			if !ok {
				recs[d] = Record{Kind: Dir, Mode: 0o755}
				continue
			}
			if r.Kind != Dir {
				return nil, fmt.Errorf("write archive: parent /%s of /%s is a %s", d, name, r.Kind)
			}
		}
	}
	return recs, nil
}

// resolveDir follows the symlink records among the components of the
// archive directory dir ("." for the root) and returns the real directory
// ("." for the root).
func resolveDir(recs map[string]Record, dir string) (string, error) {
	rest := strings.Split(dir, "/")
	cur := "."
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur)
			continue
		}
		next := path.Join(cur, c)
		r, ok := recs[next]
		if !ok || r.Kind != Symlink {
			cur = next
			continue
		}
		if hops++; hops > maxLinks {
			return "", fmt.Errorf("too many symlinks resolving /%s", dir)
		}
		if strings.HasPrefix(r.Target, "/") {
			cur = "."
		}
		rest = append(strings.Split(r.Target, "/"), rest...)
	}
	return cur, nil
}

func sortedNames(recs map[string]Record) []string {
	out := make([]string, 0, len(recs))
	for k := range recs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
