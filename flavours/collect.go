package flavours

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
)

// envNameRE is the name an element's environment.d file must have to be
// sourced (DIB's rule; other files are skipped).
var envNameRE = regexp.MustCompile(`^[0-9A-Za-z_.-]+$`)

// collect gathers and validates the hooks and environment files, and
// refuses a file that two elements both provide.
func (s *Set) collect() error {
	if err := s.checkDuplicates(); err != nil {
		return err
	}
	dib := s.DIB()
	for _, p := range Phases {
		seen := map[string]*Flavour{}
		var hooks []Hook
		for _, f := range s.Flavours {
			entries, err := fs.ReadDir(f.fsys, p.Dir())
			if isNotExist(err) {
				continue
			}
			if err != nil {
				return fmt.Errorf("read %s: %w", path.Join(f.Dir, p.Dir()), err)
			}
			for _, e := range entries {
				run, err := f.runs(p, e)
				if err != nil {
					return err
				}
				if !run {
					continue
				}
				if prev, dup := seen[e.Name()]; dup {
					return fmt.Errorf("hook %s.d/%s is in both %s and %s", p.Name, e.Name(), prev.Dir, f.Dir)
				}
				seen[e.Name()] = f
				hooks = append(hooks, Hook{Flavour: f, Phase: p, Name: e.Name()})
			}
		}
		sort.SliceStable(hooks, func(i, j int) bool { return HookLess(hooks[i].Name, hooks[j].Name, dib) })
		s.hooks[p.Name] = hooks
	}
	return s.collectEnv()
}

// runs tells whether entry e of phase p of f is a hook that runs. A
// flavour's phase directory holds only hooks: anything else is an error.
// An element's follows DIB's run-parts: a file that is not executable, a
// name with characters beyond letters, digits, '_' and '-', and a
// directory are skipped.
func (f *Flavour) runs(p Phase, e fs.DirEntry) (bool, error) {
	where := path.Join(f.Dir, p.Dir(), e.Name())
	if f.DIB {
		return f.dibRuns(p, e), nil
	}
	if e.IsDir() {
		return false, fmt.Errorf("%s: a hook directory may not hold directories", where)
	}
	if !hookRE.MatchString(e.Name()) {
		return false, fmt.Errorf("%s: bad hook name (run-parts names use only letters, digits, '_' and '-')", where)
	}
	if f.onDisk {
		info, err := e.Info()
		if err != nil {
			return false, fmt.Errorf("stat %s: %w", where, err)
		}
		if info.Mode()&0o111 == 0 {
			return false, fmt.Errorf("%s: hook is not executable (chmod +x it)", where)
		}
	}
	return true, nil
}

// dibRuns is DIB's rule for a hook: a regular file, or a link to one, that
// is executable and named with letters, digits, '_' and '-' only.
func (f *Flavour) dibRuns(p Phase, e fs.DirEntry) bool {
	if !hookRE.MatchString(e.Name()) {
		return false
	}
	fi, err := fs.Stat(f.fsys, path.Join(p.Dir(), e.Name())) // follows links
	if err != nil || !fi.Mode().IsRegular() {
		return false
	}
	if f.onDisk {
		return fi.Mode()&0o111 != 0
	}
	return isScript(f.fsys, path.Join(p.Dir(), e.Name()))
}

// collectEnv gathers the environment.d files of every flavour.
func (s *Set) collectEnv() error {
	seen := map[string]*Flavour{}
	for _, f := range s.Flavours {
		entries, err := fs.ReadDir(f.fsys, "environment.d")
		if isNotExist(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", path.Join(f.Dir, "environment.d"), err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if f.DIB {
				fi, err := fs.Stat(f.fsys, path.Join("environment.d", e.Name()))
				if err != nil || !fi.Mode().IsRegular() || !envNameRE.MatchString(e.Name()) {
					continue
				}
			}
			if prev, dup := seen[e.Name()]; dup {
				return fmt.Errorf("environment.d/%s is in both %s and %s", e.Name(), prev.Dir, f.Dir)
			}
			seen[e.Name()] = f
			s.env = append(s.env, EnvFile{Flavour: f, Name: e.Name()})
		}
	}
	sort.Slice(s.env, func(i, j int) bool { return s.env[i].Name < s.env[j].Name })
	return nil
}

// isScript tells whether the embedded file p starts with "#!": a file of a
// built-in element that counts as executable.
func isScript(fsys fs.FS, p string) bool {
	data, err := fs.ReadFile(fsys, p)
	return err == nil && len(data) > 2 && string(data[:2]) == "#!"
}
