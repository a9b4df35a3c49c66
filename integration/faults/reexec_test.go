package faults

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestNoCallerVariableTurnsACommandIntoAnInternalRole runs the commands as a
// caller through the sudoers rule could (DIB_* variables kept, argv[0] of
// its choosing) asking for the janitor role, which deletes every path it is
// told to: the command runs as itself and refuses the empty invocation.
func TestNoCallerVariableTurnsACommandIntoAnInternalRole(t *testing.T) {
	for _, name := range []string{"disk-image-create", "ramdisk-image-create"} {
		for _, argv0 := range []string{name, "dib-janitor"} {
			t.Run(name+"/"+argv0, func(t *testing.T) {
				bin := command(t, name)
				victim := filepath.Join(t.TempDir(), "victim")
				require.NoError(t, os.WriteFile(victim, []byte("keep me"), 0o644))
				cmd := exec.Command(bin)
				cmd.Args[0] = argv0
				cmd.Env = append(os.Environ(), "DIB_REEXEC_ROLE=janitor")
				cmd.Stdin = strings.NewReader("add " + victim + "\n")
				out, err := cmd.CombinedOutput()
				var exit *exec.ExitError
				require.ErrorAs(t, err, &exit, "%s", out)
				assert.Equal(t, 2, exit.ExitCode(), "%s", out)
				assert.Contains(t, string(out), "no flavour given")
				assert.FileExists(t, victim, "the janitor role did not run")
			})
		}
	}
}
