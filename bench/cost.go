package bench

import (
	"fmt"
	"strings"
	"time"
)

// StampPhase is the time the outputs phase of a build spent on
// reproducibility alone (images.Result.Stamping): clamping the times of
// what the disk stage wrote into the tree and stamping vhd and vmdk
// headers. It is a part of "outputs", reported beside it.
const StampPhase = "stamping (in outputs)"

// reproPhases are the phases that exist for reproducibility alone: the
// root's normalize phase (leftovers, stale bytecode, shadow dates, file
// times) and the stamping in the outputs phase. What costs nothing more
// (sorted tar members, mke2fs given SOURCE_DATE_EPOCH, derived identifiers)
// is not counted.
var reproPhases = []string{"normalize", StampPhase}

// sbomPhase is the bill of materials: reading dpkg's database, hashing the
// outputs and writing NAME.cdx.json.
const sbomPhase = "sbom"

// costTable writes, for the series that have the phases, the median time
// of reproducibility and of the bill of materials, and the ratio of the
// build's median time with them to the time without them.
func (r *Report) costTable(b *strings.Builder) {
	var rows []string
	for _, s := range r.Series {
		if len(s.Totals) == 0 {
			continue
		}
		var repro time.Duration
		var found bool
		for _, name := range reproPhases {
			if d, ok := s.PhaseMedian(name); ok {
				repro, found = repro+d, true
			}
		}
		if !found {
			continue
		}
		bom, _ := s.PhaseMedian(sbomPhase)
		total := s.Median()
		rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", s.Name, secs(total), secs(repro), ratio(total, repro), secs(bom)+" ("+ratio(total, bom)+")"))
	}
	if len(rows) == 0 {
		return
	}
	b.WriteString("\n## Cost of reproducibility and of the bill of materials (median)\n\n")
	b.WriteString("| scenario | build | reproducibility | ratio | bill of materials (ratio) |\n|---|---:|---:|---:|---:|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
	b.WriteString("\nreproducibility: the normalize phase and the stamping in the outputs phase; ratio: the build's time over its time without them.\n")
}

// ratio is total over total without part, as "1.023×".
func ratio(total, part time.Duration) string {
	if total <= part || total == 0 {
		return "—"
	}
	return fmt.Sprintf("%.3f×", float64(total)/float64(total-part))
}
