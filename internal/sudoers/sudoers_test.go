package sudoers

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// source is the rule of the source tree, seen from this package.
var source = filepath.Join("..", "..", Source)

func TestVisudoAcceptsTheRuleOfTheSourceTree(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "visudo")
	require.NoError(t, Check(context.Background(), source))
}

func TestTheRuleLetsGroupDibRunTheBuildCommandsKeepingProxies(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(source)
	require.NoError(t, err)
	rule := string(data)
	assert.Contains(t, rule, "%dib ALL = (root) NOPASSWD: DIB_COMMANDS")
	assert.Contains(t, rule, "/usr/local/bin/disk-image-create, /usr/local/bin/ramdisk-image-create")
	assert.Contains(t, rule, `env_keep += "http_proxy https_proxy no_proxy`)
	assert.NotContains(t, rule, "disk-image-get-kernel", "reading a kernel needs no root")
}

func TestRenderPointsTheRuleAtThePrefix(t *testing.T) {
	t.Parallel()
	rule, err := Render(source, "/opt/dib/bin")
	require.NoError(t, err)
	assert.Contains(t, rule, "/opt/dib/bin/disk-image-create, /opt/dib/bin/ramdisk-image-create")
	assert.NotContains(t, rule, "/usr/local/bin")
}

func TestInstallPutsACheckedRuleInPlaceAndRefusesABrokenOne(t *testing.T) {
	t.Parallel()
	testenv.RequireCommands(t, "visudo")
	if _, err := exec.LookPath("visudo"); err != nil {
		t.Skip("no visudo")
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "diskimage-builder")
	rule, err := Render(source, "/opt/dib/bin")
	require.NoError(t, err)
	require.NoError(t, Install(context.Background(), rule, dst))
	fi, err := os.Stat(dst)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o440), fi.Mode().Perm())

	err = Install(context.Background(), "%dib ALL = (root) NOPASSWD: nonsense here ((\n", dst)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "check sudoers rule")
	got, _ := os.ReadFile(dst)
	assert.Equal(t, rule, string(got), "the installed rule is left as it was")
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 1, "no temporary file left")
}
