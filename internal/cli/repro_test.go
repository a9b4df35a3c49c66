package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestABadSourceDateEpochExitsTwoNamingTheVariable(t *testing.T) {
	fl := flavourDir(t)
	out := t.TempDir()
	for _, v := range []string{"yesterday", "-5", "1.5", "99999999999999"} {
		code, stdout, stderr := createRun(t, []string{"SOURCE_DATE_EPOCH=" + v}, "--flavours-path", fl, "-o", filepath.Join(out, "x"), "ok")
		assert.Equal(t, ExitBadInput, code, v)
		assert.Empty(t, stdout)
		assert.Contains(t, stderr, "SOURCE_DATE_EPOCH=", v)
		assert.Equal(t, 1, strings.Count(stderr, "\n"), stderr)
		code, _, stderr = ramdiskCmd([]string{"SOURCE_DATE_EPOCH=" + v}, "--flavours-path", fl, "-o", filepath.Join(out, "x"), "ok")
		assert.Equal(t, ExitBadInput, code, v)
		assert.Contains(t, stderr, "SOURCE_DATE_EPOCH=", v)
	}
	entries, _ := os.ReadDir(out)
	assert.Empty(t, entries)
}

func TestSeedAndSourceDateEpochReachTheSpec(t *testing.T) {
	v, flavours, _, err := parse(createOptions, []string{"--seed", "blue", "ok"}, []string{"SOURCE_DATE_EPOCH=1735689600"})
	require.NoError(t, err)
	spec, err := createSpec(v, flavours, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "blue", spec.Seed)
	assert.Equal(t, time.Unix(1735689600, 0).UTC(), spec.SourceDateEpoch)

	v, flavours, _, err = parse(createOptions, []string{"ok"}, []string{"DIB_SEED=green"})
	require.NoError(t, err)
	spec, err = createSpec(v, flavours, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "green", spec.Seed, "DIB_SEED sets it")
	assert.True(t, spec.SourceDateEpoch.IsZero(), "unset: the base's epoch")
}

func TestHelpListsTheSeedAndSourceDateEpoch(t *testing.T) {
	code, stdout, _ := createRun(t, []string{"SOURCE_DATE_EPOCH=1735689600"}, "-h")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, stdout, "--seed SEED")
	assert.Contains(t, stdout, "DIB_SEED=")
	assert.Contains(t, stdout, "SOURCE_DATE_EPOCH=1735689600")
	code, stdout, _ = ramdiskCmd(nil, "-h")
	assert.Equal(t, ExitOK, code)
	assert.Contains(t, stdout, "SOURCE_DATE_EPOCH=")
	assert.NotContains(t, stdout, "--seed", "a ramdisk has no identifiers to vary")
}
