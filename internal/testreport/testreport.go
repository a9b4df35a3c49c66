// Package testreport runs go test with -json, passes its output through as
// go test would print it, and keeps each test's result and time, so that a
// whole run can end with its slowest tests and its total.
package testreport

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// Test is one top-level test's result.
type Test struct {
	Package string
	Name    string
	Action  string // pass, fail or skip
	Elapsed time.Duration
}

// Report is what one or more runs did.
type Report struct {
	Tests []Test
	Wall  time.Duration // the runs' own time
	// Verbose passes every test's output through, as go test -v prints
	// it; otherwise a test's output is shown only when it fails, as go
	// test prints it without -v.
	Verbose bool
}

// event is one line of go test -json (see go doc test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

// Run runs the go command gocmd with args (which must hold "test" and
// "-json"), writes every output line to out as it comes, and adds each
// top-level test's result to r. Its error is the go command's.
func (r *Report) Run(ctx context.Context, gocmd string, args []string, out io.Writer) error {
	start := time.Now()
	cmd := exec.CommandContext(ctx, gocmd, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	var stderr strings.Builder
	cmd.Stderr = io.MultiWriter(out, &stderr)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s %s: %w", gocmd, strings.Join(args, " "), err)
	}
	r.read(stdout, out)
	err = cmd.Wait()
	r.Wall += time.Since(start)
	if err != nil {
		return fmt.Errorf("go %s: %w", args[0], err)
	}
	return nil
}

// read passes events' output to out and keeps top-level tests' results;
// a line that is no event (a build failure's) is passed as it is. Unless
// r.Verbose, a test's output (its subtests' with it) is held until it
// ends, and shown only if it failed.
func (r *Report) read(in io.Reader, out io.Writer) {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	held := map[string]*strings.Builder{}
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			fmt.Fprintln(out, sc.Text())
			continue
		}
		top, _, _ := strings.Cut(e.Test, "/")
		key := e.Package + " " + top
		switch {
		case e.Action == "output" && (r.Verbose || top == ""):
			io.WriteString(out, e.Output)
		case e.Action == "output":
			if held[key] == nil {
				held[key] = &strings.Builder{}
			}
			held[key].WriteString(e.Output)
		case (e.Action == "pass" || e.Action == "fail" || e.Action == "skip") && top != "" && top == e.Test:
			r.Tests = append(r.Tests, Test{Package: e.Package, Name: e.Test, Action: e.Action,
				Elapsed: time.Duration(e.Elapsed * float64(time.Second))})
			if b := held[key]; b != nil && e.Action == "fail" {
				io.WriteString(out, b.String())
			}
			delete(held, key)
		}
	}
	for _, b := range held { // a test that never ended (a crash): its output
		io.WriteString(out, b.String())
	}
}

// Slowest are the n tests that took longest, slowest first.
func (r *Report) Slowest(n int) []Test {
	ts := slices.Clone(r.Tests)
	slices.SortStableFunc(ts, func(a, b Test) int { return int(b.Elapsed - a.Elapsed) })
	return ts[:min(n, len(ts))]
}

// Summary is the closing table: the n slowest tests with their times and
// results, then the counts and the total time.
func (r *Report) Summary(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nslowest %d tests:\n", n)
	for i, t := range r.Slowest(n) {
		fmt.Fprintf(&b, "%3d. %8.1fs  %-4s %s (%s)\n", i+1, t.Elapsed.Seconds(), t.Action, t.Name, t.Package)
	}
	count := map[string]int{}
	for _, t := range r.Tests {
		count[t.Action]++
	}
	fmt.Fprintf(&b, "total: %d tests in %.0fs\n", len(r.Tests), r.Wall.Seconds())
	fmt.Fprintf(&b, "tests: %d passed, %d failed, %d skipped\n", count["pass"], count["fail"], count["skip"])
	return b.String()
}
