package userns_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/sys/userns"
	"github.com/tripleo/diskimage-builder/internal/testenv"
)

func TestAUserWithSubordinateIDsBuildsAsRootOfANamespaceWithEveryCapability(t *testing.T) {
	u := testenv.UnprivilegedUser(t)
	out, err := testenv.RunTestAs(t, u, "TestUsersHalfOfTheNamespaceTest")
	require.NoError(t, err, out)
	assert.Contains(t, out, "--- PASS: TestUsersHalfOfTheNamespaceTest")
}

// The user's half: Choose finds the user's ranges, and a child started
// with Map.Command is root there with every capability.
func TestUsersHalfOfTheNamespaceTest(t *testing.T) {
	if !testenv.AsUser() {
		t.Skip("run by TestAUserWithSubordinateIDsBuildsAsRootOfANamespaceWithEveryCapability")
	}
	mode, m, err := userns.Choose()
	require.NoError(t, err)
	assert.Equal(t, userns.Unprivileged, mode)
	assert.Equal(t, os.Getuid(), m.UID)
	cmd, err := m.Command(probeRole)
	require.NoError(t, err)
	out, err := cmdOutput(cmd)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3, out)
	assert.Equal(t, "euid 0 egid 0", lines[0])
	assert.Contains(t, lines[1], "1 ", "IDs 1 on are subordinate: "+lines[1])
	assert.Equal(t, "CapEff:\t000001ffffffffff", lines[2])
}
