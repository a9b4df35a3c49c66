// Package debversion orders version strings the way dpkg does, which is how
// Debian names its kernels (6.12.10-amd64, 6.1.0-28-amd64): runs of digits
// compare as numbers, other runs character by character, letters before
// other characters and "~" before everything, even the end. It is the one
// place the project compares kernel versions.
package debversion

// Compare compares two version strings in dpkg's order and returns -1, 0
// or 1, so that Compare("6.12.9-amd64", "6.12.10-amd64") is -1.
func Compare(a, b string) int {
	for a != "" || b != "" {
		var x, y string
		x, a = splitRun(a, false)
		y, b = splitRun(b, false)
		if c := compareText(x, y); c != 0 {
			return c
		}
		x, a = splitRun(a, true)
		y, b = splitRun(b, true)
		if c := compareNumber(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// splitRun splits s after its leading run of digits (digits true) or of
// non-digits (digits false).
func splitRun(s string, digits bool) (run, rest string) {
	i := 0
	for i < len(s) && isDigit(s[i]) == digits {
		i++
	}
	return s[:i], s[i:]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// order gives a character's weight in dpkg's order; 0 stands for the end
// of the run.
func order(s string, i int) int {
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

func compareText(x, y string) int {
	for i := 0; i < len(x) || i < len(y); i++ {
		if a, b := order(x, i), order(y, i); a != b {
			return sign(a - b)
		}
	}
	return 0
}

func compareNumber(x, y string) int {
	for len(x) > 0 && x[0] == '0' {
		x = x[1:]
	}
	for len(y) > 0 && y[0] == '0' {
		y = y[1:]
	}
	if len(x) != len(y) {
		return sign(len(x) - len(y))
	}
	for i := range len(x) {
		if x[i] != y[i] {
			return sign(int(x[i]) - int(y[i]))
		}
	}
	return 0
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
