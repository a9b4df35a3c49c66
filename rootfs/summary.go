package rootfs

import (
	"fmt"
	"io"
	"sort"
	"time"
)

// Summary writes the time of every phase, their total and the five
// slowest hooks to w: the end of a build's log.
func Summary(w io.Writer, phases, hooks []Timing) {
	var total time.Duration
	fmt.Fprintln(w, "==> summary")
	for _, p := range phases {
		total += p.Duration
		fmt.Fprintf(w, "  phase %-14s %7.2fs\n", p.Name, p.Duration.Seconds())
	}
	fmt.Fprintf(w, "  %-20s %7.2fs\n", "total", total.Seconds())
	slow := append([]Timing(nil), hooks...)
	sort.SliceStable(slow, func(i, j int) bool { return slow[i].Duration > slow[j].Duration })
	if len(slow) > 5 {
		slow = slow[:5]
	}
	for _, h := range slow {
		fmt.Fprintf(w, "  slow hook %-40s %7.2fs\n", h.Name, h.Duration.Seconds())
	}
}
