package elements

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVarsGiveTheElementsAsDIBsElementInfoDoes(t *testing.T) {
	el := tree(t, map[string]string{"mine/README.rst": "x"})
	s, err := resolve([]string{"debian-minimal", "mine"}, nil, el)
	require.NoError(t, err)
	dirs, err := Dirs(s, t.TempDir())
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(el, "mine"), dirs["mine"])
	assert.FileExists(t, filepath.Join(dirs["pkg-map"], "bin", "pkg-map"), "built-in elements are written out")
	fi, err := os.Stat(filepath.Join(dirs["pkg-map"], "bin", "pkg-map"))
	require.NoError(t, err)
	assert.NotZero(t, fi.Mode()&0o111)

	env := map[string]string{}
	for _, kv := range Vars(s, dirs) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	assert.Contains(t, " "+env["IMAGE_ELEMENT"]+" ", " mine ")
	assert.Contains(t, env["IMAGE_ELEMENT_YAML"], "mine: "+filepath.Join(el, "mine")+"\n")
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command("bash", "-c", `eval declare -A a=($(get_image_element_array)); echo "${a[mine]}"; echo "${#a[@]}"`)
	cmd.Env = append(os.Environ(), "BASH_FUNC_get_image_element_array%%="+env["BASH_FUNC_get_image_element_array%%"])
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Equal(t, filepath.Join(el, "mine")+"\n"+itoa(len(s.Flavours))+"\n", string(out))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestDIBEnvIsTheCallersDIBVariablesAsDeclarePPrintsThem(t *testing.T) {
	got := DIBEnv([]string{"PATH=/bin", "DIB_B=two words", `DIB_A=q"uote$x`, "DIB_BAD-NAME=x"})
	assert.Equal(t, "declare -x DIB_A=\"q\\\"uote\\$x\"\ndeclare -x DIB_B=\"two words\"", got)
	if _, err := exec.LookPath("bash"); err == nil {
		out, err := exec.Command("bash", "-c", got+"\n"+`printf '%s|%s' "$DIB_A" "$DIB_B"`).Output()
		require.NoError(t, err)
		assert.Equal(t, `q"uote$x|two words`, string(out), "bash reads it back")
	}
}

func TestPackageInstallsAreReadInOrderAndBadOnesRefused(t *testing.T) {
	el := tree(t, map[string]string{
		"a/package-installs.yaml":    "zz:\nbb:\n  phase: pre-install.d\ncc:\n  - arch: amd64\n  - when: DIB_X = 1\n",
		"a/package-installs.json":    `{"jj": {"uninstall": true}}`,
		"bad/package-installs.yaml":  "x:\n  phase: finalise.d\n",
		"bad2/package-installs.yaml": "- a\n- b\n",
		"bad3/package-installs.yaml": "x: [1, 2]\n",
		"bad4/package-installs.yaml": "x: {\n",
	})
	s, err := resolve([]string{"debian-minimal", "a"}, nil, el)
	require.NoError(t, err)
	entries, err := PackageInstalls(s)
	require.NoError(t, err)
	var mine []string
	for _, e := range entries {
		if e.Element == "a" {
			mine = append(mine, e.Package)
		}
	}
	assert.Equal(t, []string{"jj", "zz", "bb", "cc"}, mine)
	data, err := json.Marshal(entries[len(entries)-1])
	require.NoError(t, err)
	assert.JSONEq(t, `["a", "cc", [{"arch": "amd64"}, {"when": "DIB_X = 1"}]]`, string(data))

	for name, want := range map[string]string{"bad": "phase finalise.d", "bad2": "want a mapping", "bad3": "list of mappings", "bad4": "not YAML"} {
		s, err := resolve([]string{"debian-minimal", name}, nil, el)
		require.NoError(t, err)
		_, err = PackageInstalls(s)
		assert.ErrorContains(t, err, want, name)
		assert.ErrorContains(t, err, filepath.Join(el, name, "package-installs.yaml"))
	}
}
