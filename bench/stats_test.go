package bench

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTheMedianOfAnOddCountIsTheMiddleValue(t *testing.T) {
	t.Parallel()
	ds := []time.Duration{9 * time.Second, 1 * time.Second, 5 * time.Second}
	assert.Equal(t, 5*time.Second, Median(ds))
	assert.Equal(t, 9*time.Second, ds[0], "the input is not reordered")
}

func TestTheMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 3*time.Second, Median([]time.Duration{4 * time.Second, 1 * time.Second, 2 * time.Second, 8 * time.Second}))
}

func TestTheMedianOfNoRunsIsZero(t *testing.T) {
	t.Parallel()
	assert.Zero(t, Median(nil))
}

func TestPhasesKeepTheOrderFirstSeenAndSumRepeats(t *testing.T) {
	t.Parallel()
	var s Series
	s.Add(10*time.Second, []Timing{{"bootstrap", 8 * time.Second}, {"install", time.Second}, {"install", time.Second}})
	s.Add(12*time.Second, []Timing{{"bootstrap", 6 * time.Second}, {"outputs", 4 * time.Second}})
	s.Add(11*time.Second, []Timing{{"bootstrap", 7 * time.Second}})

	names := []string{}
	for _, p := range s.Phases {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"bootstrap", "install", "outputs"}, names)
	assert.Equal(t, 11*time.Second, s.Median())
	d, ok := s.PhaseMedian("bootstrap")
	assert.True(t, ok)
	assert.Equal(t, 7*time.Second, d)
	d, ok = s.PhaseMedian("install")
	assert.True(t, ok)
	assert.Equal(t, 2*time.Second, d, "two install entries of one run are summed")
	_, ok = s.PhaseMedian("finalise")
	assert.False(t, ok)
}
