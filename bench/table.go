package bench

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Report is everything one benchmark run measured.
type Report struct {
	Title  string   // first heading
	Notes  []string // lines under the heading: host, load, how measured
	Series []*Series
	Sizes  []Size
}

// Markdown renders the report: a summary table of medians against the
// targets (with the median CPU time, user and system, children included), a table of phase medians (a column per scenario) and a table of
// output sizes.
func (r *Report) Markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", r.Title)
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "%s  \n", n)
	}
	if len(r.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("| scenario | runs | median | min | max | CPU | target | met |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, s := range r.Series {
		if len(s.Totals) == 0 {
			fmt.Fprintf(&b, "| %s | 0 | — | — | — | — | %s | %s |\n", s.Name, target(s.Target), failure(s.Err))
			continue
		}
		met := verdict(s.Target > 0, s.Median() <= s.Target)
		if s.Err != nil {
			met = failure(s.Err)
		}
		cpu := "—"
		if len(s.CPU) > 0 {
			cpu = secs(Median(s.CPU))
		}
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s | %s | %s | %s |\n", s.Name, len(s.Totals),
			secs(s.Median()), secs(slices.Min(s.Totals)), secs(slices.Max(s.Totals)), cpu, target(s.Target), met)
	}
	r.phaseTable(&b)
	r.costTable(&b)
	if len(r.Sizes) > 0 {
		b.WriteString("\n## Outputs\n\n| output | size | limit | met |\n|---|---:|---:|---|\n")
		for _, z := range r.Sizes {
			limit := "—"
			if z.Limit > 0 {
				limit = mib(z.Limit)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", z.Name, mib(z.Bytes), limit, verdict(z.Limit > 0, z.Bytes <= z.Limit))
		}
	}
	return b.String()
}

// phaseTable writes the median of every phase, a row a phase in the order
// first seen and a column a scenario that has phases.
func (r *Report) phaseTable(b *strings.Builder) {
	var cols []*Series
	var rows []string
	for _, s := range r.Series {
		if len(s.Phases) == 0 {
			continue
		}
		cols = append(cols, s)
		for _, p := range s.Phases {
			if !slices.Contains(rows, p.Name) {
				rows = append(rows, p.Name)
			}
		}
	}
	if len(cols) == 0 {
		return
	}
	b.WriteString("\n## Phases (median)\n\n| phase |")
	for _, s := range cols {
		fmt.Fprintf(b, " %s |", s.Name)
	}
	b.WriteString("\n|---|" + strings.Repeat("---:|", len(cols)) + "\n")
	for _, name := range rows {
		fmt.Fprintf(b, "| %s |", name)
		for _, s := range cols {
			if d, ok := s.PhaseMedian(name); ok {
				fmt.Fprintf(b, " %s |", secs(d))
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}
}

// secs shows a duration in seconds: two decimals below 10 s, one above.
func secs(d time.Duration) string {
	if d < 10*time.Second {
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func target(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	return fmt.Sprintf("≤ %g s", d.Seconds())
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

func verdict(hasGoal, ok bool) string {
	switch {
	case !hasGoal:
		return ""
	case ok:
		return "yes"
	}
	return "**no**"
}

// failure marks a scenario that did not complete, with the first line of
// its error (pipes escaped so the table holds).
func failure(err error) string {
	if err == nil {
		return "not run"
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return "**failed**: " + strings.ReplaceAll(msg, "|", `\|`)
}
