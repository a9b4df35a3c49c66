package fuzzrun

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tripleo/diskimage-builder/internal/testenv"
)

// moduleRoot is the directory of go.mod, two levels up.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "go.mod"))
	require.NoError(t, err)
	return root
}

func TestTargetsFindsTheDiskReadersFuzzTargets(t *testing.T) {
	t.Parallel()
	targets, err := Targets(moduleRoot(t))
	require.NoError(t, err)
	for _, want := range []Target{{"./images/diskread", "FuzzImageHeader"}, {"./images/diskread/extfs", "FuzzExt"}, {"./images/diskread/fatfs", "FuzzFAT"},
		{"./images/diskread/parttable", "FuzzPartitionTable"}, {"./images/kernel", "FuzzFind"}} {
		assert.Contains(t, targets, want)
	}
}

func TestParseTimeTakesDurationsAndCounts(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"": "60s", "5m": "5m", "90s": "90s", "1000x": "1000x"} {
		got, err := ParseTime(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	for _, bad := range []string{"forever", "0s", "-5s", "x", "0x", "10"} {
		_, err := ParseTime(bad)
		require.Error(t, err, bad)
	}
}

// TestRunRunsATargetAndSaysHowItWent runs one target briefly, as
// ./mage fuzz does for each.
func TestRunRunsATargetAndSaysHowItWent(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short mode: runs go test -fuzz")
	}
	testenv.RequireCommands(t, "go")
	var out bytes.Buffer
	err := Run(context.Background(), "go", moduleRoot(t), []Target{{"./images/diskread/parttable", "FuzzPartitionTable"}}, "200x", &out)
	require.NoError(t, err, out.String())
	assert.Contains(t, out.String(), "fuzz: FuzzPartitionTable in ./images/diskread/parttable for 200x")
	assert.Regexp(t, `fuzz: FuzzPartitionTable +\./images/diskread/parttable +(\d+h)?(\d+m)?\d+s  no failing input`, out.String())
}
