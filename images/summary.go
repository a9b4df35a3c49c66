package images

import (
	"sort"
	"time"
)

// summary logs the time of every phase and the slowest hooks.
func (b *builder) summary() {
	var total time.Duration
	b.logf("==> summary")
	for _, p := range b.res.Phases {
		total += p.Duration
		b.logf("  phase %-14s %7.2fs", p.Name, p.Duration.Seconds())
	}
	b.logf("  %-20s %7.2fs", "total", total.Seconds())
	hooks := append([]Timing(nil), b.res.Hooks...)
	sort.SliceStable(hooks, func(i, j int) bool { return hooks[i].Duration > hooks[j].Duration })
	if len(hooks) > 5 {
		hooks = hooks[:5]
	}
	for _, h := range hooks {
		b.logf("  slow hook %-40s %7.2fs", h.Name, h.Duration.Seconds())
	}
}
