package flavours

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tree writes files (path -> content; a trailing "*" on the path makes it
// executable) below a new directory and returns it.
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
		require.NoError(t, os.WriteFile(full, []byte(content), mode))
	}
	return dir
}

func TestDependenciesComeBeforeTheFlavoursThatNeedThem(t *testing.T) {
	dir := tree(t, map[string]string{
		"a/flavour-deps": "b\n# a comment\nc\n",
		"b/flavour-deps": "c\n",
		"c/README.md":    "c",
	})
	s, err := Resolve([]string{"a"}, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, []string{"c", "b", "a"}, s.Names())
	assert.True(t, s.Has("b"))
}

func TestTheSearchPathWinsOverBuiltinFlavours(t *testing.T) {
	names := Builtin()
	if len(names) == 0 {
		t.Skip("no built-in flavour to shadow")
	}
	dir := tree(t, map[string]string{names[0] + "/README.md": "mine"})
	s, err := Resolve([]string{names[0]}, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, names[0]), s.Flavours[0].Dir)
}

func TestAnUnknownFlavourIsNamedWithWhereItWasLookedFor(t *testing.T) {
	dir := tree(t, map[string]string{"a/flavour-deps": "nope\n"})
	_, err := Resolve([]string{"a"}, []string{dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `flavour "nope" not found`)
	assert.Contains(t, err.Error(), "needed by a")
	assert.Contains(t, err.Error(), dir)
}

func TestADependencyCycleIsNamed(t *testing.T) {
	dir := tree(t, map[string]string{
		"a/flavour-deps": "b\n",
		"b/flavour-deps": "c\n",
		"c/flavour-deps": "a\n",
	})
	_, err := Resolve([]string{"a"}, []string{dir})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cycle: a -> b -> c -> a")
}

func TestHooksOfAPhaseRunInNameOrderAcrossFlavours(t *testing.T) {
	dir := tree(t, map[string]string{
		"a/flavour-deps":       "b\n",
		"a/install.d/50-a*":    "#!/bin/sh\n",
		"a/install.d/10-a*":    "#!/bin/sh\n",
		"b/install.d/20-b*":    "#!/bin/sh\n",
		"b/finalise.d/99-b*":   "#!/bin/sh\n",
		"b/environment.d/20-b": "export B=1\n",
		"a/environment.d/10-a": "export A=1\n",
	})
	s, err := Resolve([]string{"a"}, []string{dir})
	require.NoError(t, err)
	var labels []string
	for _, h := range s.Hooks(Install) {
		labels = append(labels, h.Label())
	}
	assert.Equal(t, []string{"a/install.d/10-a", "b/install.d/20-b", "a/install.d/50-a"}, labels)
	assert.Len(t, s.Hooks(Finalise), 1)
	assert.Empty(t, s.Hooks(PreInstall))
	require.Len(t, s.EnvFiles(), 2)
	assert.Equal(t, "10-a", s.EnvFiles()[0].Name)
}

func TestBadFlavourSetsAreRefusedBeforeAnythingRuns(t *testing.T) {
	cases := map[string]struct {
		files map[string]string
		want  string
	}{
		"duplicate hook": {map[string]string{
			"a/flavour-deps": "b\n", "a/install.d/10-x*": "", "b/install.d/10-x*": "",
		}, "hook install.d/10-x is in both"},
		"not executable": {map[string]string{"a/install.d/10-x": ""}, "10-x: hook is not executable"},
		"bad hook name":  {map[string]string{"a/install.d/10-x.sh*": ""}, "10-x.sh: bad hook name"},
		"directory":      {map[string]string{"a/install.d/sub/x*": ""}, "may not hold directories"},
		"duplicate env": {map[string]string{
			"a/flavour-deps": "b\n", "a/environment.d/10-x": "", "b/environment.d/10-x": "",
		}, "environment.d/10-x is in both"},
		"unreadable environment.d": {map[string]string{"a/environment.d": "not a directory"}, "read " + "DIR/a/environment.d"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := tree(t, c.files)
			_, err := Resolve([]string{"a"}, []string{dir})
			require.Error(t, err)
			assert.Contains(t, err.Error(), strings.ReplaceAll(c.want, "DIR", dir))
		})
	}
}

func TestABadFlavourNameIsRefused(t *testing.T) {
	_, err := Resolve([]string{"../etc"}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad flavour name")
	_, err = Resolve(nil, nil)
	assert.EqualError(t, err, "no flavour given")
}

func TestWriteTreeMergesFlavoursAsHooksSeeThem(t *testing.T) {
	dir := tree(t, map[string]string{
		"a/flavour-deps":      "b\n",
		"a/README.md":         "doc",
		"a/install.d/10-a*":   "#!/bin/sh\n",
		"b/static/etc/motd":   "hello\n",
		"b/environment.d/10b": "export B=1\n",
	})
	s, err := Resolve([]string{"a"}, []string{dir})
	require.NoError(t, err)
	out := t.TempDir()
	require.NoError(t, s.WriteTree(out, nil))
	fi, err := os.Stat(filepath.Join(out, "install.d/10-a"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())
	assert.FileExists(t, filepath.Join(out, "static/etc/motd"))
	assert.FileExists(t, filepath.Join(out, "environment.d/10b"))
	assert.NoFileExists(t, filepath.Join(out, "README.md"))
	assert.NoFileExists(t, filepath.Join(out, "flavour-deps"))
}

func TestEveryBuiltinFlavourResolvesAndHasAReadme(t *testing.T) {
	for _, name := range Builtin() {
		s, err := Resolve([]string{name}, nil)
		require.NoError(t, err, name)
		_, err = os.Stat(filepath.Join(name, "README.md"))
		assert.NoError(t, err, "flavour %s needs a README.md", name)
		for _, p := range Phases {
			for _, h := range s.Hooks(p) {
				if h.Flavour.Name != name {
					continue
				}
				fi, err := os.Stat(filepath.Join(name, p.Dir(), h.Name))
				require.NoError(t, err)
				assert.NotZero(t, fi.Mode()&0o111, "%s must be executable in the source tree", h.Label())
			}
		}
	}
}

func TestBootstrapPackagesOfAllFlavoursAreMergedAndChecked(t *testing.T) {
	dir := tree(t, map[string]string{
		"a/flavour-deps":         "b\n",
		"a/bootstrap-packages":   "vim # an editor\ncloud-init\n",
		"b/bootstrap-packages":   "cloud-init openssh-server\n",
		"bad/bootstrap-packages": "rm -rf /\n",
	})
	s, err := Resolve([]string{"a"}, []string{dir})
	require.NoError(t, err)
	assert.Equal(t, []string{"cloud-init", "openssh-server", "vim"}, s.BootstrapPackages())
	_, err = Resolve([]string{"bad"}, []string{dir})
	assert.ErrorContains(t, err, `bootstrap-packages: bad package name "-rf"`)
}

func TestTheBuiltinFlavoursHoldNoGoSource(t *testing.T) {
	t.Parallel()
	err := fs.WalkDir(builtin, ".", func(p string, d fs.DirEntry, err error) error {
		assert.False(t, strings.HasSuffix(p, ".go"), "%s is embedded in every binary", p)
		return err
	})
	require.NoError(t, err)
	assert.Contains(t, Builtin(), "vm")
}
