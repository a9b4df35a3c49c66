// Package bench measures the build pipelines the way an operator meets
// them: a cold image build, a warm rebuild after a hook changed, a warm
// ramdisk build and disk-image-get-kernel, with the time of every phase
// and the size of every output, and prints the medians as a Markdown
// table. `./mage bench` runs it; it is not part of the tests, which make
// no timed assertions.
package bench

import (
	"slices"
	"time"
)

// Series is the measurements of one scenario over several runs.
type Series struct {
	Name   string
	Target time.Duration // the goal for the median total; 0 means none
	Totals []time.Duration
	CPU    []time.Duration // user+system time of each run, children included
	Phases []Phase         // in the order first seen
	Err    error           // the failure that stopped the scenario, if any
}

// Phase is one named part of a scenario, measured once a run.
type Phase struct {
	Name    string
	Samples []time.Duration
}

// Timing is one named duration of a run, as builds report them.
type Timing struct {
	Name     string
	Duration time.Duration
}

// Add records one run: its total and the time of each of its phases.
// A phase seen twice in a run (two hook sets of the same name) counts
// once, with the durations summed.
func (s *Series) Add(total time.Duration, phases []Timing) {
	s.Totals = append(s.Totals, total)
	sums := map[string]time.Duration{}
	var order []string
	for _, p := range phases {
		if _, ok := sums[p.Name]; !ok {
			order = append(order, p.Name)
		}
		sums[p.Name] += p.Duration
	}
	for _, name := range order {
		i := slices.IndexFunc(s.Phases, func(p Phase) bool { return p.Name == name })
		if i < 0 {
			s.Phases = append(s.Phases, Phase{Name: name})
			i = len(s.Phases) - 1
		}
		s.Phases[i].Samples = append(s.Phases[i].Samples, sums[name])
	}
}

// Median is the median total, 0 without runs.
func (s *Series) Median() time.Duration { return Median(s.Totals) }

// PhaseMedian is the median of phase name and whether the series has it.
func (s *Series) PhaseMedian(name string) (time.Duration, bool) {
	for _, p := range s.Phases {
		if p.Name == name {
			return Median(p.Samples), true
		}
	}
	return 0, false
}

// Median returns the middle value of ds, the mean of the two middle values
// for an even count, and 0 for none. ds is not changed.
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Size is the size of one output.
type Size struct {
	Name  string
	Bytes int64
	Limit int64 // the goal; 0 means none
}
