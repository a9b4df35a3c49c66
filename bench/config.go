package bench

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Scenario names, as BENCH_ONLY takes them.
const (
	ColdEmpty = "cold"      // image:vm with an empty cache, packages included
	ColdBase  = "cold-base" // image:vm with no base but a warm package cache
	Warm      = "warm"      // image:vm rebuilt after a hook changed
	Ramdisk   = "ramdisk"   // the deploy ramdisk from a warm cache
	GetKernel = "kernel"    // disk-image-get-kernel on the warm build's qcow2
	BootSSH   = "boot"      // first boot of image:vm under QEMU to an ssh login
	Unpriv    = "unpriv"    // warm image:vm as a user without root, against root's
	Archive   = "archive"   // warm image:vm asking the archive, against --offline; and after a package changed
)

// Scenarios lists every scenario in the order they run.
var Scenarios = []string{ColdEmpty, ColdBase, Warm, Archive, Ramdisk, GetKernel, BootSSH, Unpriv}

// Counts says how many times each kind of scenario runs.
type Counts struct {
	Cold int // each cold scenario
	Warm int // each warm scenario, disk-image-get-kernel and the boot
}

// DefaultCounts: cold builds are network bound and slow, so once.
var DefaultCounts = Counts{Cold: 1, Warm: 3}

// ParseCounts reads BENCH_RUNS: "cold=N,warm=M" (either part may be
// left out), or a single number for the warm runs. Empty gives
// DefaultCounts.
func ParseCounts(s string) (Counts, error) {
	c := DefaultCounts
	if strings.TrimSpace(s) == "" {
		return c, nil
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		if n < 1 {
			return c, fmt.Errorf("BENCH_RUNS=%s: want at least 1 run", s)
		}
		c.Warm = n
		return c, nil
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || n < 0 {
			return c, fmt.Errorf("BENCH_RUNS=%s: want cold=N,warm=N", s)
		}
		switch k {
		case "cold":
			c.Cold = n
		case "warm":
			c.Warm = n
		default:
			return c, fmt.Errorf("BENCH_RUNS=%s: unknown count %q (cold, warm)", s, k)
		}
	}
	return c, nil
}

// ParseOnly reads BENCH_ONLY: a comma list of scenario names; empty means
// all of them.
func ParseOnly(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return slices.Clone(Scenarios), nil
	}
	var out []string
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(n)
		if !slices.Contains(Scenarios, n) {
			return nil, fmt.Errorf("BENCH_ONLY=%s: unknown scenario %q (known: %s)", s, n, strings.Join(Scenarios, ", "))
		}
		out = append(out, n)
	}
	return out, nil
}
