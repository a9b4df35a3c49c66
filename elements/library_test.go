package elements

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// helper runs a library element's script with env, returning its output
// and exit status.
func helper(t *testing.T, script string, env []string, args ...string) (string, int) {
	t.Helper()
	testenv.RequireCommands(t, "python3", "bash")
	cmd := exec.Command(filepath.Join("library", script), args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), ee.ExitCode()
	}
	require.NoError(t, err)
	return string(out), 0
}

func TestPkgMapTakesTheMostSpecificMapping(t *testing.T) {
	dir := tree(t, map[string]string{"map": `{
		"default": {"a": "a-default", "b": "b-default", "gone": "x"},
		"family": {"debian": {"a": "a-family", "gone": ""}},
		"distro": {"debian": {"b": "b-distro"}},
		"release": {"debian": {"trixie": {"c": "c-release"}}}}`})
	env := []string{"DISTRO_NAME=debian", "DIB_RELEASE=trixie"}
	out, code := helper(t, "pkg-map/bin/pkg-map", env, "--pkg-map", filepath.Join(dir, "map"), "a", "b", "c", "gone")
	assert.Equal(t, 0, code, out)
	assert.Equal(t, "a-family\nb-distro\nc-release\n", out)
	out, code = helper(t, "pkg-map/bin/pkg-map", env, "--pkg-map", filepath.Join(dir, "map"), "unmapped")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "no mapping for package unmapped")
	out, code = helper(t, "pkg-map/bin/pkg-map", env, "--pkg-map", filepath.Join(dir, "map"), "--missing-ok", "--prefix", "-", "unmapped")
	assert.Equal(t, 0, code)
	assert.Equal(t, "-unmapped\n", out)
	_, code = helper(t, "pkg-map/bin/pkg-map", env, "--element", "no-such-element-here", "a")
	assert.Equal(t, 2, code, "no map file for the element")
}

// fakeTools puts install-packages and pkg-map stand-ins first in PATH:
// they append their arguments to the returned log.
func fakeTools(t *testing.T) (string, string) {
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "log")
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body), 0o755))
	}
	write("install-packages", `echo "install-packages $*" >> `+log+"\n")
	write("pkg-map", `shift 5; for p; do case $p in toy) echo -sl ;; *) echo "-$p" ;; esac; done`+"\n")
	return bin, log
}

func TestPackageInstallsSquashesAcrossElementsAsDIBDoes(t *testing.T) {
	bin, log := fakeTools(t)
	squashed := filepath.Join(t.TempDir(), "squashed.json")
	require.NoError(t, os.WriteFile(squashed, []byte(`[
		["a", "early", {"phase": "pre-install.d"}],
		["a", "toy", null],
		["a", "tmp-tool", {"build-only": true}],
		["a", "old", {"uninstall": true}],
		["b", "old", null],
		["a", "gone", {"uninstall": true}],
		["a", "amd", {"arch": "amd64, arm64"}],
		["a", "notamd", {"not-arch": "amd64"}],
		["a", "py2", {"dib_python_version": 2}],
		["a", "src", {"installtype": "source"}],
		["a", "pkg", {"installtype": "package"}],
		["b", "pkgtype", {"installtype": "package"}],
		["a", "on", {"when": "DIB_F = on"}],
		["a", "off", {"when": ["DIB_F != on", "ARCH = amd64"]}]
	]`), 0o644))
	env := []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "ARCH=amd64", "DIB_PYTHON_VERSION=3", "DIB_F=on", "DIB_INSTALLTYPE_b=package"}
	run := func(args ...string) string {
		require.NoError(t, os.RemoveAll(log))
		out, code := helper(t, "package-installs/bin/dib-package-installs", env, append(args, squashed)...)
		require.Equal(t, 0, code, out)
		data, _ := os.ReadFile(log)
		return strings.TrimSpace(string(data))
	}
	assert.Equal(t, "install-packages early", run("--phase", "pre-install.d"))
	assert.Equal(t, "install-packages sl tmp-tool amd src on old pkgtype", run("--phase", "install.d"))
	assert.Equal(t, "install-packages -e tmp-tool gone", run("--phase", "install.d", "--uninstall"),
		"old is installed by b, so it is not removed")

	require.NoError(t, os.WriteFile(squashed, []byte(`[["a", "x", {"when": "DIB_UNSET = 1"}]]`), 0o644))
	out, code := helper(t, "package-installs/bin/dib-package-installs", env, "--phase", "install.d", squashed)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "DIB_UNSET is not set")
}
