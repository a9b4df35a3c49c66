package elements

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/flavours"
)

// tree writes files (path -> content; a trailing "*" makes it executable,
// a content starting with "->" makes a symlink) below a new directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		mode := os.FileMode(0o644)
		if strings.HasSuffix(p, "*") {
			p, mode = strings.TrimSuffix(p, "*"), 0o755
		}
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		if target, ok := strings.CutPrefix(content, "->"); ok {
			require.NoError(t, os.Symlink(target, full))
			continue
		}
		require.NoError(t, os.WriteFile(full, []byte(content), mode))
	}
	return dir
}

// resolve resolves names with elements along path (and flavours along
// fpath).
func resolve(names []string, fpath []string, path ...string) (*flavours.Set, error) {
	return flavours.ResolveWith(names, flavours.Options{FlavoursPath: fpath, Elements: Lookup{Path: path}})
}

func names(hooks []flavours.Hook) []string {
	var out []string
	for _, h := range hooks {
		out = append(out, h.Name)
	}
	return out
}

func TestTheEarlierElementsPathEntryWinsAndNativeElementsWinOverBoth(t *testing.T) {
	first := tree(t, map[string]string{"mine/README.rst": "first", "vm/README.rst": "not used"})
	second := tree(t, map[string]string{"mine/README.rst": "second"})
	s, err := resolve([]string{"debian-minimal", "mine", "vm"}, nil, first, second)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(first, "mine"), s.Get("mine").Dir)
	assert.True(t, s.Get("mine").DIB)
	assert.Equal(t, "builtin:vm", s.Get("vm").Dir, "vm is done natively")
	assert.False(t, s.Get("vm").DIB, "vm is the vm flavour")
	assert.Equal(t, "builtin:debian-minimal", s.Get("debian-minimal").Dir)
	assert.Equal(t, "debian-minimal", s.ProvidedBy(flavours.OperatingSystem))
	for _, n := range []string{"debootstrap", "dpkg", "pkg-map", "install-bin", "package-installs"} {
		assert.True(t, s.Has(n), "debian-minimal pulls in %s", n)
	}
}

func TestFlavoursPathWinsOverElementsAndElementsPathOverBuiltinFlavours(t *testing.T) {
	el := tree(t, map[string]string{"base/README.rst": "DIB's base", "local-config/README.rst": "x"})
	fl := tree(t, map[string]string{"local-config/README.md": "mine"})
	s, err := resolve([]string{"debian-minimal", "base", "local-config"}, []string{fl}, el)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(el, "base"), s.Get("base").Dir, "an element on ELEMENTS_PATH wins over the built-in flavour")
	assert.Equal(t, filepath.Join(fl, "local-config"), s.Get("local-config").Dir, "FLAVOURS_PATH wins")
	assert.False(t, s.Get("local-config").DIB)
}

func TestElementDepsAndProvidesExpandAsDIBDoes(t *testing.T) {
	el := tree(t, map[string]string{
		"a/element-deps":     "virtual\n\n  b  \n",
		"b/element-deps":     "a\n", // element cycles are allowed
		"p/element-provides": "virtual\n",
		"q/element-provides": "virtual\n",
	})
	s, err := resolve([]string{"debian-minimal", "a", "p"}, nil, el)
	require.NoError(t, err)
	assert.True(t, s.Has("b"))
	assert.Equal(t, "p", s.ProvidedBy("virtual"))
	assert.False(t, s.Has("virtual"))

	_, err = resolve([]string{"debian-minimal", "p", "q"}, nil, el)
	assert.ErrorContains(t, err, "virtual: already provided by p")
	_, err = resolve([]string{"debian-minimal", "p", "virtual"}, nil, el)
	assert.ErrorContains(t, err, "virtual is asked for but p already provides it")
	_, err = resolve([]string{"a", "p"}, nil, el)
	assert.ErrorContains(t, err, "no element provides operating-system")
	_, err = resolve([]string{"debian-minimal", "a"}, nil, el)
	assert.ErrorContains(t, err, `"virtual" not found`)
	assert.ErrorContains(t, err, "(needed by a)")
}

func TestElementsThatNeedMountsOrAnotherOSAreRefusedWithTheReason(t *testing.T) {
	el := tree(t, map[string]string{
		"lvm/README.rst":                  "x",
		"ubuntu-minimal/element-provides": "operating-system\n",
		"my-layout/element-provides":      "block-device\n",
	})
	for name, want := range map[string]string{
		"lvm":            "device-mapper",
		"ubuntu-minimal": "only Debian roots are built here",
		"my-layout":      "hybrid GPT",
		"growvols":       "LVM",
		"iso":            "loop-mounting",
		"yum":            "RPM",
		"baremetal":      "disk-image-get-kernel",
	} {
		_, err := resolve([]string{"debian-minimal", name}, nil, el)
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "element "+name)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), "\n")
	}
}

func TestHooksFollowDIBsRunPartsRules(t *testing.T) {
	el := tree(t, map[string]string{
		"e/install.d/10-ten*":        "#!/bin/sh\n",
		"e/install.d/9-nine*":        "#!/bin/sh\n",
		"e/install.d/no-number*":     "#!/bin/sh\n",
		"e/install.d/50-data":        "not executable: skipped",
		"e/install.d/50-dot.sh*":     "#!/bin/sh\n",
		"e/install.d/sub/60-x*":      "#!/bin/sh\n",
		"e/install.d/70-link":        "->10-ten",
		"e/install.d/80-dangling":    "->nowhere",
		"f/install.d/05-five*":       "#!/bin/sh\n",
		"e/element-deps":             "f\n",
		"e/environment.d/10-e.bash":  "export E=1\n",
		"e/environment.d/20-backup~": "exit 1\n",
	})
	s, err := resolve([]string{"debian-minimal", "e"}, nil, el)
	require.NoError(t, err)
	var mine []string
	for _, n := range names(s.Hooks(flavours.Install)) {
		if strings.Contains("10-ten 9-nine no-number 05-five 70-link", n) {
			mine = append(mine, n)
		}
	}
	assert.Equal(t, []string{"no-number", "05-five", "9-nine", "10-ten", "70-link"}, mine)
	var env []string
	for _, e := range s.EnvFiles() {
		if e.Flavour.Name == "e" {
			env = append(env, e.Name)
		}
	}
	assert.Equal(t, []string{"10-e.bash"}, env)
}

func TestAFileTwoElementsProvideIsAnError(t *testing.T) {
	el := tree(t, map[string]string{
		"a/element-deps":          "b\n",
		"a/bin/tool*":             "#!/bin/sh\n",
		"b/bin/tool*":             "#!/bin/sh\n",
		"c/element-deps":          "d\n",
		"c/static/etc/one":        "1",
		"d/static/etc/two":        "2",
		"c/install.d/10-x":        "data, not a hook",
		"d/install.d/10-x":        "data, not a hook",
		"e/README.rst":            "top-level files may repeat",
		"e/element-deps":          "c\n",
		"c/README.rst":            "top-level files may repeat",
		"c/package-installs.yaml": "",
	})
	_, err := resolve([]string{"debian-minimal", "a"}, nil, el)
	assert.ErrorContains(t, err, "bin/tool is in both")
	_, err = resolve([]string{"debian-minimal", "c"}, nil, el)
	assert.ErrorContains(t, err, "install.d/10-x is in both", "a file twice in a directory, hook or not")
	el2 := tree(t, map[string]string{"c/element-deps": "d\n", "c/static/etc/one": "1", "d/static/etc/two": "2", "e/README.rst": "", "e/element-deps": "c\n", "c/README.rst": ""})
	_, err = resolve([]string{"debian-minimal", "e"}, nil, el2)
	assert.NoError(t, err, "deeper levels merge, as DIB's cp -a does")
}

func TestAnElementsPathEntryMustBeADirectory(t *testing.T) {
	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, nil, 0o644))
	assert.ErrorContains(t, Lookup{Path: []string{f}}.Check(), "is not a directory")
	assert.NoError(t, Lookup{Path: []string{t.TempDir()}}.Check())
}

func TestEveryLibraryElementResolvesAndHasAReadme(t *testing.T) {
	for _, n := range LibraryNames() {
		s, err := resolve([]string{"debian-minimal", n}, nil)
		require.NoError(t, err, n)
		_, err = os.Stat(filepath.Join("library", n, "README.md"))
		assert.NoError(t, err, "%s needs a README.md", n)
		assert.True(t, s.Has(n))
	}
}
