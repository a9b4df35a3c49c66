package testreport

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheReportPassesOutputThroughAndRanksTopLevelTestsByTime(t *testing.T) {
	t.Parallel()
	in := strings.Join([]string{
		`{"Action":"run","Package":"p","Test":"TestA"}`,
		`{"Action":"output","Package":"p","Test":"TestA","Output":"=== RUN   TestA\n"}`,
		`{"Action":"pass","Package":"p","Test":"TestA/sub","Elapsed":9}`,
		`{"Action":"pass","Package":"p","Test":"TestA","Elapsed":1.5}`,
		`{"Action":"output","Package":"q","Test":"TestB","Output":"    b_test.go:9: broken\n"}`,
		`{"Action":"fail","Package":"q","Test":"TestB","Elapsed":30}`,
		`{"Action":"skip","Package":"q","Test":"TestC","Elapsed":0}`,
		`{"Action":"output","Package":"q","Output":"FAIL\tq\t30.1s\n"}`,
		`# q [build failed]`,
	}, "\n")
	var r Report
	var out strings.Builder
	r.read(strings.NewReader(in), &out)
	assert.Equal(t, "    b_test.go:9: broken\nFAIL\tq\t30.1s\n# q [build failed]\n", out.String(),
		"a passing test's output is held back, a failing one's shown, as go test without -v")
	var verbose Report
	verbose.Verbose = true
	out.Reset()
	verbose.read(strings.NewReader(in), &out)
	assert.True(t, strings.HasPrefix(out.String(), "=== RUN   TestA\n"))
	slow := r.Slowest(2)
	assert.Equal(t, []string{"TestB", "TestA"}, []string{slow[0].Name, slow[1].Name}, "subtests are not ranked")
	s := r.Summary(15)
	assert.Contains(t, s, "slowest 15 tests:\n  1.     30.0s  fail TestB (q)\n  2.      1.5s  pass TestA (p)\n")
	assert.Contains(t, s, "total: 3 tests in ")
	assert.True(t, strings.HasSuffix(s, "\ntests: 1 passed, 1 failed, 1 skipped\n"), "the plain closing line")
}
