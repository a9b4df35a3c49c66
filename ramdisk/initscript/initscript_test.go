package initscript

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

// shells are the host shells the scripts are checked with: dash and bash
// always, busybox sh (what the ramdisk runs) when the host has it.
func shells(t *testing.T) [][]string {
	t.Helper()
	testenv.RequireCommands(t, "dash", "bash")
	out := [][]string{{"dash"}, {"bash", "--posix"}}
	if _, err := exec.LookPath("busybox"); err == nil {
		out = append(out, []string{"busybox", "sh"})
	}
	return out
}

// runScript runs script with shell and env, and returns its combined output.
func runScript(t *testing.T, shell []string, script string, env ...string) (string, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "script.sh")
	require.NoError(t, os.WriteFile(f, []byte(script), 0o755))
	cmd := exec.Command(shell[0], append(shell[1:], f)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

var sample = []Fragment{
	{Flavour: "deploy", Body: []byte("echo deploying\n")},
	{Flavour: "local-config", Body: []byte("echo configured")},
}

func TestAssembleKeepsFlavourOrderWithAHeaderEach(t *testing.T) {
	t.Parallel()
	s := string(Assemble(sample))
	assert.True(t, strings.HasPrefix(s, "#!/bin/sh\n"))
	base := strings.Index(s, "\nnet_up\n")
	deploy := strings.Index(s, "\n# init fragment from deploy\n")
	local := strings.Index(s, "\n# init fragment from local-config\n")
	end := strings.Index(s, "# ---- end of the ramdisk /init ----")
	for _, i := range []int{base, deploy, local, end} {
		require.NotEqual(t, -1, i)
	}
	assert.Less(t, base, deploy, "base before fragments")
	assert.Less(t, deploy, strings.Index(s, "echo deploying"))
	assert.Less(t, strings.Index(s, "echo deploying"), local, "fragments in the order given")
	assert.Less(t, local, strings.Index(s, "echo configured\n"))
	assert.Less(t, strings.Index(s, "echo configured\n"), end, "end script last")
	assert.True(t, strings.HasSuffix(s, "reboot_now\n"))
}

func TestAssembledScriptIsValidShell(t *testing.T) {
	t.Parallel()
	script := string(Assemble(append(sample, Fragment{Flavour: "empty"},
		Fragment{Flavour: "case", Body: []byte("case x in\nx) echo x ;;\nesac\ncat <<EOF\nheredoc\nEOF")})))
	for _, sh := range shells(t) {
		f := filepath.Join(t.TempDir(), "init")
		require.NoError(t, os.WriteFile(f, []byte(script), 0o755))
		out, err := exec.Command(sh[0], append(sh[1:], "-n", f)...).CombinedOutput()
		assert.NoError(t, err, "%v -n: %s", sh, out)
	}
	for name, b := range map[string][]byte{"udhcpc.sh": udhcpcSh} {
		for _, sh := range shells(t) {
			f := filepath.Join(t.TempDir(), name)
			require.NoError(t, os.WriteFile(f, b, 0o755))
			out, err := exec.Command(sh[0], append(sh[1:], "-n", f)...).CombinedOutput()
			assert.NoError(t, err, "%v -n %s: %s", sh, name, out)
		}
	}
}

func TestUdhcpcScriptIsAShellScript(t *testing.T) {
	t.Parallel()
	assert.True(t, strings.HasPrefix(string(UdhcpcScript()), "#!/bin/sh\n"))
}
