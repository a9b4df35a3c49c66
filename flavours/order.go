package flavours

// HookLess is the order hooks of one phase run in: C-locale order of their
// names, or with dib, the order of DIB's dib-run-parts (LANG=C sort -n):
// by the number a name starts with (none counts as 0, a leading '-' makes
// it negative), then C-locale order of the whole name.
func HookLess(a, b string, dib bool) bool {
	if dib {
		if c := compareNumeric(leadingNumber(a), leadingNumber(b)); c != 0 {
			return c < 0
		}
	}
	return a < b
}

// number is a name's leading integer as sort -n reads it.
type number struct {
	neg    bool
	digits string // without leading zeros; "" is zero
}

func leadingNumber(s string) number {
	var n number
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	if i < len(s) && s[i] == '-' {
		n.neg = true
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	d := s[i:j]
	for len(d) > 0 && d[0] == '0' {
		d = d[1:]
	}
	n.digits = d
	if d == "" {
		n.neg = false // -0, "-" and no number at all are zero
	}
	return n
}

// compareNumeric compares two leading numbers: -1, 0 or 1.
func compareNumeric(a, b number) int {
	if a.neg != b.neg {
		if a.neg {
			return -1
		}
		return 1
	}
	c := compareMagnitude(a.digits, b.digits)
	if a.neg {
		return -c
	}
	return c
}

func compareMagnitude(a, b string) int {
	switch {
	case len(a) != len(b):
		if len(a) < len(b) {
			return -1
		}
		return 1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
