package elements

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tripleo/diskimage-builder/flavours"
)

// Dirs returns the directory of every flavour and element of set, as DIB
// gives element paths to hooks. Built-in ones, which have no directory,
// are written below dir first (dir/NAME).
func Dirs(set *flavours.Set, dir string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range set.Flavours {
		if !strings.HasPrefix(f.Dir, "builtin:") {
			out[f.Name] = f.Dir
			continue
		}
		dst := filepath.Join(dir, f.Name)
		if err := writeFS(f.FS(), dst); err != nil {
			return nil, fmt.Errorf("write built-in element %s: %w", f.Name, err)
		}
		out[f.Name] = dst
	}
	return out, nil
}

// writeFS copies an embedded tree to dst; files starting with "#!" are
// executable.
func writeFS(fsys fs.FS, dst string) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(string(data), "#!") {
			mode = 0o755
		}
		return os.WriteFile(target, data, mode)
	})
}

// Vars are the variables DIB's element-info gives hooks about the set:
// IMAGE_ELEMENT (the names, space separated), IMAGE_ELEMENT_YAML (a YAML
// mapping of name to directory) and the exported bash function
// get_image_element_array, which prints the body of an associative array
// of the same ("eval declare -A a=($(get_image_element_array))").
func Vars(set *flavours.Set, dirs map[string]string) []string {
	names := set.Names()
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	var yaml, array strings.Builder
	for _, n := range sorted {
		fmt.Fprintf(&yaml, "%s: %s\n", n, yamlScalar(dirs[n]))
	}
	for _, n := range names {
		fmt.Fprintf(&array, "[%s]=%s ", n, dirs[n])
	}
	body := "() {  echo \"" + escapeDQ(array.String()) + "\"\n}"
	return []string{
		"IMAGE_ELEMENT=" + strings.Join(names, " "),
		"IMAGE_ELEMENT_YAML=" + yaml.String(),
		"BASH_FUNC_get_image_element_array%%=" + body,
	}
}

// yamlScalar quotes s for YAML when it is not a plain scalar.
func yamlScalar(s string) string {
	plain := s != ""
	for _, r := range s {
		if !(r == '/' || r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			plain = false
		}
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// escapeDQ escapes s for a bash double-quoted string.
func escapeDQ(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`")
	return r.Replace(s)
}

// DIBEnv is DIB_ENV: the caller's DIB_* variables as bash's declare -p
// prints them, one a line, sorted.
func DIBEnv(env []string) string {
	var lines []string
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(k, "DIB_") && validName(k) {
			lines = append(lines, "declare -x "+k+"=\""+escapeDQ(v)+"\"")
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func validName(k string) bool {
	for i, r := range k {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return k != ""
}

// HasFile reports whether an element of set has the file p (a path inside
// the element).
func HasFile(set *flavours.Set, p string) bool {
	for _, f := range set.Flavours {
		if _, err := fs.Stat(f.FS(), path.Clean(p)); err == nil {
			return true
		}
	}
	return false
}
