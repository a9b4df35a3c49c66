package reexec

import (
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const probeRole = "test-probe"

func init() {
	Register(probeRole, func() int {
		fmt.Print("ROLE-RAN")
		return 7
	})
}

func TestARoleRunsWhenItsParentStartsIt(t *testing.T) {
	cmd, err := Command(probeRole)
	require.NoError(t, err)
	out, err := cmd.Output()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 7, exit.ExitCode())
	assert.Equal(t, "ROLE-RAN", string(out))
}

// asCaller runs this test binary as a caller could: with the role's
// argv[0], the old role variable and extra files of its choosing.
func asCaller(t *testing.T, extra ...*os.File) string {
	t.Helper()
	cmd := exec.Command("/proc/self/exe", "-test.run=^$")
	cmd.Args[0] = "dib-" + probeRole
	cmd.Env = append(os.Environ(), "DIB_REEXEC_ROLE="+probeRole)
	cmd.ExtraFiles = extra
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "the binary runs as itself: %s", out)
	return string(out)
}

func TestNoVariableOrNameACallerSetsSelectsARole(t *testing.T) {
	assert.NotContains(t, asCaller(t), "ROLE-RAN", "argv[0] and DIB_REEXEC_ROLE alone")

	r, w, err := os.Pipe()
	require.NoError(t, err)
	_, err = w.WriteString(magic + "some-other-role\n")
	require.NoError(t, err)
	w.Close()
	defer r.Close()
	assert.NotContains(t, asCaller(t, r), "ROLE-RAN", "a handshake naming another role")

	f, err := os.CreateTemp(t.TempDir(), "handshake")
	require.NoError(t, err)
	_, err = f.WriteString(magic + probeRole + "\n")
	require.NoError(t, err)
	_, err = f.Seek(0, 0)
	require.NoError(t, err)
	defer f.Close()
	assert.NotContains(t, asCaller(t, f), "ROLE-RAN", "a handshake in a regular file, not a pipe")
}
