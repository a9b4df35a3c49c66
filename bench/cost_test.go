package bench

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestTheCostOfReproducibilityIsARatioOfTheBuildWithAndWithoutIt(t *testing.T) {
	t.Parallel()
	warm := &Series{Name: "warm", Target: 10 * time.Second}
	warm.Add(10*time.Second, []Timing{{"normalize", 300 * time.Millisecond}, {"outputs", 3 * time.Second},
		{StampPhase, 200 * time.Millisecond}, {"sbom", time.Second}})
	md := (&Report{Series: []*Series{warm, {Name: "kernel"}}}).Markdown()
	assert.Contains(t, md, "## Cost of reproducibility")
	assert.Contains(t, md, "| warm | 10.0 s | 0.50 s | 1.053× | 1.00 s (1.111×) |\n")
	_, cost, _ := strings.Cut(md, "## Cost")
	assert.NotContains(t, cost, "| kernel | ", "a scenario without the phases has no row")
}
