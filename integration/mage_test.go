package integration

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

// mage runs ./mage with args in the module root and returns its output.
func mage(t *testing.T, env []string, args ...string) string {
	t.Helper()
	testenv.Short(t)
	testenv.RequireCommands(t, "go")
	cmd := exec.CommandContext(context.Background(), "./mage", args...)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "./mage %v:\n%s", args, out)
	return string(out)
}

func TestMageListsEveryRecipeWithItsOneLineHelp(t *testing.T) {
	out := mage(t, nil, "-l")
	for _, target := range []string{
		"image:vm", "image:novaCompute", "ramdisk:deploy", "ramdisk:hwdiscovery", "ramdisk:hwburnin",
		"install:commands", "install:sudoers", "deps",
	} {
		assert.Regexp(t, `(?m)^\s+`+target+`\s+\S`, out, "listed with its help")
	}
}

func TestMageInstallPutsWorkingCommandsUnderPrefix(t *testing.T) {
	prefix := t.TempDir()
	mage(t, []string{"PREFIX=" + prefix}, "install")
	for cmd, synopsis := range map[string]string{
		"disk-image-create":     "-o NAME [options] FLAVOUR...",
		"ramdisk-image-create":  "-o NAME",
		"disk-image-get-kernel": "IMAGE",
	} {
		bin := filepath.Join(prefix, "bin", cmd)
		out, err := exec.Command(bin, "-h").CombinedOutput()
		require.NoError(t, err, "%s -h:\n%s", bin, out)
		assert.Contains(t, string(out), synopsis, cmd)
	}
}
