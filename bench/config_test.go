package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunCountsDefaultToOneColdAndThreeWarm(t *testing.T) {
	t.Parallel()
	c, err := ParseCounts("")
	require.NoError(t, err)
	assert.Equal(t, Counts{Cold: 1, Warm: 3}, c)
}

func TestRunCountsAreReadFromBenchRuns(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Counts{
		"5":               {Cold: 1, Warm: 5},
		"cold=0":          {Cold: 0, Warm: 3},
		"cold=2,warm=7":   {Cold: 2, Warm: 7},
		" warm=4 ,cold=3": {Cold: 3, Warm: 4},
	} {
		c, err := ParseCounts(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, c, in)
	}
}

func TestBadRunCountsAreRefusedWithTheValue(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"0", "warm=x", "hot=2", "cold=-1"} {
		_, err := ParseCounts(in)
		assert.ErrorContains(t, err, "BENCH_RUNS="+in, in)
	}
}

func TestOnlyNamesKnownScenarios(t *testing.T) {
	t.Parallel()
	all, err := ParseOnly("")
	require.NoError(t, err)
	assert.Equal(t, Scenarios, all)
	some, err := ParseOnly("warm, kernel")
	require.NoError(t, err)
	assert.Equal(t, []string{Warm, GetKernel}, some)
	_, err = ParseOnly("warm,lukewarm")
	assert.ErrorContains(t, err, `unknown scenario "lukewarm"`)
}
