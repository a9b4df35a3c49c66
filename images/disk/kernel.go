package disk

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Kernel is a kernel in a tree's /boot.
type Kernel struct {
	Version string // e.g. 6.12.48+deb13-amd64
	Image   string // path in the tree, /boot/vmlinuz-VERSION
	Initrd  string // path in the tree, /boot/initrd.img-VERSION; empty if there is none
}

// FindKernel returns the newest kernel in tree/boot by Debian version
// order, with its initrd if there is one.
func FindKernel(tree string) (Kernel, error) {
	entries, err := os.ReadDir(filepath.Join(tree, "boot"))
	if err != nil {
		return Kernel{}, fmt.Errorf("find kernel in %s: %w", tree, err)
	}
	var best string
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), "vmlinuz-")
		if !ok || v == "" || !e.Type().IsRegular() {
			continue
		}
		if best == "" || CompareVersions(v, best) > 0 {
			best = v
		}
	}
	if best == "" {
		return Kernel{}, fmt.Errorf("find kernel in %s: no /boot/vmlinuz-VERSION", tree)
	}
	k := Kernel{Version: best, Image: "/boot/vmlinuz-" + best}
	if fi, err := os.Stat(filepath.Join(tree, "boot", "initrd.img-"+best)); err == nil && fi.Mode().IsRegular() {
		k.Initrd = "/boot/initrd.img-" + best
	}
	return k, nil
}

// CompareVersions orders two version strings as dpkg orders upstream
// versions: runs of digits compare as numbers, other runs character by
// character with letters before non-letters and '~' before everything,
// even the end of the string. It returns -1, 0 or 1.
func CompareVersions(a, b string) int {
	for a != "" || b != "" {
		var na, nb string
		na, a = span(a, false)
		nb, b = span(b, false)
		if c := compareText(na, nb); c != 0 {
			return c
		}
		na, a = span(a, true)
		nb, b = span(b, true)
		if c := compareNumbers(na, nb); c != 0 {
			return c
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// span splits s after its leading run of digits (digits) or non-digits.
func span(s string, digits bool) (string, string) {
	i := 0
	for i < len(s) && isDigit(s[i]) == digits {
		i++
	}
	return s[:i], s[i:]
}

// textOrder is the weight of a character in a non-digit run; 0 is the end.
func textOrder(s string, i int) int {
	if i >= len(s) {
		return 0
	}
	c := s[i]
	switch {
	case c == '~':
		return -1
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		return int(c)
	default:
		return int(c) + 256
	}
}

func compareText(a, b string) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		if x, y := textOrder(a, i), textOrder(b, i); x != y {
			return sign(x - y)
		}
	}
	return 0
}

func compareNumbers(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		return sign(len(a) - len(b))
	}
	return strings.Compare(a, b)
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}
