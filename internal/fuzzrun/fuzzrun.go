// Package fuzzrun finds the module's Go fuzz targets and runs each for a
// bounded time, one after the other, for `./mage fuzz`. A target that
// finds a failing input leaves it under its package's testdata/fuzz,
// where `go test` runs it as a regular test case from then on.
package fuzzrun

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Target is one fuzz target: a FuzzXxx function in a package.
type Target struct {
	Package string // "./images/diskread/extfs"
	Name    string // "FuzzExt"
}

// DefaultTime is how long each target runs when FUZZTIME is not set.
const DefaultTime = "60s"

var fuzzFunc = regexp.MustCompile(`^func (Fuzz\w+)\(\w+ \*testing\.F\)`)

// Targets lists the fuzz targets in the _test.go files under root (a
// module directory), sorted by package and name. testdata and hidden
// directories are skipped.
func Targets(root string) ([]Target, error) {
	var out []Target
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(p, "_test.go") {
			return nil
		}
		names, err := fuzzFuncs(p)
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		for _, n := range names {
			out = append(out, Target{Package: "./" + filepath.ToSlash(rel), Name: n})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find fuzz targets under %s: %w", root, err)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Package < out[j].Package || out[i].Package == out[j].Package && out[i].Name < out[j].Name
	})
	return out, nil
}

func fuzzFuncs(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m := fuzzFunc.FindStringSubmatch(s.Text()); m != nil {
			out = append(out, m[1])
		}
	}
	return out, s.Err()
}

// ParseTime checks a FUZZTIME value: a duration ("90s", "5m") or a
// number of runs ("10000x"), as go test's -fuzztime takes; empty means
// DefaultTime.
func ParseTime(s string) (string, error) {
	if s == "" {
		return DefaultTime, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return s, nil
	}
	if n, ok := strings.CutSuffix(s, "x"); ok && n != "" && strings.Trim(n, "0123456789") == "" && strings.Trim(n, "0") != "" {
		return s, nil
	}
	return "", fmt.Errorf("FUZZTIME=%s: want a duration such as 60s or a count such as 10000x", s)
}

// Run runs each target for fuzzTime with the go command goCmd in module
// directory dir, streaming go's output to out, and then prints one line
// a target saying how it went. Every target runs even when one finds a
// failing input; the error names those that did.
func Run(ctx context.Context, goCmd, dir string, targets []Target, fuzzTime string, out io.Writer) error {
	var summary []string
	var failed []string
	for _, t := range targets {
		fmt.Fprintf(out, "fuzz: %s in %s for %s\n", t.Name, t.Package, fuzzTime)
		start := time.Now()
		// Minimizing each new input for the default 60 s left the
		// workers idle most of the time; 200 runs is enough.
		argv := []string{goCmd, "test", "-run", "^$", "-fuzz", "^" + t.Name + "$", "-fuzztime", fuzzTime,
			"-fuzzminimizetime", "200x", t.Package}
		_, err := run.Run(ctx, run.Cmd{Argv: argv, Dir: dir, Stdout: out, Stream: out, Label: t.Name})
		took := time.Since(start).Round(time.Second)
		if ctx.Err() != nil {
			return errors.Join(err, ctx.Err())
		}
		result := "no failing input"
		if err != nil {
			result = "FAILED: see the output above and " + t.Package + "/testdata/fuzz/" + t.Name
			failed = append(failed, t.Name)
		}
		summary = append(summary, fmt.Sprintf("fuzz: %-20s %-32s %8s  %s", t.Name, t.Package, took, result))
	}
	for _, line := range summary {
		fmt.Fprintln(out, line)
	}
	if len(failed) > 0 {
		return fmt.Errorf("fuzz: %s found failing inputs", strings.Join(failed, ", "))
	}
	return nil
}
