package bench

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func sampleReport() *Report {
	warm := &Series{Name: "warm", Target: 10 * time.Second}
	warm.Add(9*time.Second, []Timing{{"bootstrap", 5 * time.Second}, {"outputs", 3 * time.Second}})
	warm.Add(12*time.Second, []Timing{{"bootstrap", 6 * time.Second}, {"outputs", 4 * time.Second}})
	warm.Add(9500*time.Millisecond, []Timing{{"bootstrap", 5500 * time.Millisecond}, {"outputs", 3500 * time.Millisecond}})
	kern := &Series{Name: "kernel", Target: 2 * time.Second}
	kern.Add(3*time.Second, nil)
	kern.CPU = []time.Duration{1500 * time.Millisecond}
	ramdisk := &Series{Name: "ramdisk", Target: 5 * time.Second, Err: errors.New("phase install: exit 1 | see log\nmore")}
	ramdisk.Add(20*time.Second, []Timing{{"bootstrap", 5 * time.Second}, {"assemble", 15 * time.Second}})
	return &Report{
		Title:  "bench",
		Notes:  []string{"2 CPUs"},
		Series: []*Series{warm, kern, ramdisk, {Name: "cold", Target: time.Minute}},
		Sizes:  []Size{{Name: "qcow2", Bytes: 227 << 20, Limit: 300 << 20}, {Name: "initrd", Bytes: 3 << 19}},
	}
}

func TestTheSummaryShowsMediansAgainstTargets(t *testing.T) {
	t.Parallel()
	md := sampleReport().Markdown()
	assert.Contains(t, md, "# bench\n\n2 CPUs  \n")
	assert.Contains(t, md, "| warm | 3 | 9.50 s | 9.00 s | 12.0 s | — | ≤ 10 s | yes |\n")
	assert.Contains(t, md, "| kernel | 1 | 3.00 s | 3.00 s | 3.00 s | 1.50 s | ≤ 2 s | **no** |\n")
}

func TestAFailedOrSkippedScenarioIsMarkedInItsRow(t *testing.T) {
	t.Parallel()
	md := sampleReport().Markdown()
	assert.Contains(t, md, `| ramdisk | 1 | 20.0 s | 20.0 s | 20.0 s | — | ≤ 5 s | **failed**: phase install: exit 1 \| see log |`)
	assert.Contains(t, md, "| cold | 0 | — | — | — | — | ≤ 60 s | not run |\n")
}

func TestThePhaseTableHasAColumnPerScenarioWithPhases(t *testing.T) {
	t.Parallel()
	md := sampleReport().Markdown()
	assert.Contains(t, md, "| phase | warm | ramdisk |\n|---|---:|---:|\n")
	assert.Contains(t, md, "| bootstrap | 5.50 s | 5.00 s |\n")
	assert.Contains(t, md, "| outputs | 3.50 s | — |\n")
	assert.Contains(t, md, "| assemble | — | 15.0 s |\n")
}

func TestSizesAreInMiBWithTheirLimit(t *testing.T) {
	t.Parallel()
	md := sampleReport().Markdown()
	assert.Contains(t, md, "| qcow2 | 227.0 MiB | 300.0 MiB | yes |\n")
	assert.Contains(t, md, "| initrd | 1.5 MiB | — |  |\n")
}
