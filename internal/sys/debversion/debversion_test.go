package debversion

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCompareOrdersLikeDpkg(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"6.12.9-amd64", "6.12.10-amd64", -1},
		{"6.12.10-amd64", "6.12.9-amd64", 1},
		{"6.12.1-amd64", "6.2.0-1-amd64", 1},
		{"6.1.0-28-amd64", "6.1.0-9-amd64", 1},
		{"6.1.0-28-amd64", "6.1.0-28-amd64", 0},
		{"6.1.0~rc1", "6.1.0", -1},
		{"6.1.0", "6.1.0a", -1},
		{"6.1.0a", "6.1.0+b1", -1},
		{"5.14.0-427.el9.x86_64", "5.14.0-70.el9.x86_64", 1},
		{"6.1.05", "6.1.5", 0},
		{"", "1", -1},
	} {
		assert.Equal(t, c.want, Compare(c.a, c.b), "%q vs %q", c.a, c.b)
	}
}
