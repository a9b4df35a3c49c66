// Package verify compares two builds of the same inputs output by output:
// which files are not the same bytes, and, when diffoscope is installed,
// what differs inside them. ./mage verify:reproducible uses it.
package verify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// diffoscopeTimeout bounds how long diffoscope may look into one pair
// (disk images are large); maxReport bounds what it writes.
const (
	diffoscopeTimeout = 15 * time.Minute
	maxReport         = 256 << 10
)

// Pair is one output of the two builds.
type Pair struct {
	Name string // the output's file name
	A, B string // its paths in the first and the second build
}

// Difference is a pair that is not the same bytes.
type Difference struct {
	Pair
	SumA, SumB string // SHA-256 in hex; "" when the file is missing
	// Detail is what diffoscope found inside, "" without diffoscope.
	Detail string
}

// Compare hashes every pair, writes a line per output to w ("same" or
// "DIFFERS") and, for those that differ, diffoscope's report when it is
// installed. It returns the differences; an error only when a file could
// not be read at all.
func Compare(ctx context.Context, pairs []Pair, w io.Writer) ([]Difference, error) {
	var diffs []Difference
	for _, p := range pairs {
		a, errA := sha256File(p.A)
		b, errB := sha256File(p.B)
		if err := errors.Join(ignoreMissing(errA), ignoreMissing(errB)); err != nil {
			return diffs, err
		}
		if a == b && a != "" {
			fmt.Fprintf(w, "same     %s  sha256 %s\n", p.Name, a)
			continue
		}
		d := Difference{Pair: p, SumA: a, SumB: b}
		fmt.Fprintf(w, "DIFFERS  %s  sha256 %s (%s) vs %s (%s)\n", p.Name, orMissing(a), p.A, orMissing(b), p.B)
		if a != "" && b != "" {
			d.Detail = diffoscope(ctx, p)
			if d.Detail != "" {
				fmt.Fprintf(w, "%s\n", indent(d.Detail))
			}
		}
		diffs = append(diffs, d)
	}
	return diffs, nil
}

// Pairs pairs the files named names in the directories a and b.
func Pairs(a, b string, names ...string) []Pair {
	out := make([]Pair, len(names))
	for i, n := range names {
		out[i] = Pair{Name: n, A: filepath.Join(a, n), B: filepath.Join(b, n)}
	}
	return out
}

// diffoscope runs diffoscope on a pair and returns its text report (at
// most maxReport bytes), or "" when it is not installed.
func diffoscope(ctx context.Context, p Pair) string {
	if _, err := exec.LookPath("diffoscope"); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, diffoscopeTimeout)
	defer cancel()
	out, err := run.Run(ctx, run.Cmd{Argv: []string{"diffoscope", "--no-progress", "--text", "-",
		"--max-text-report-size", fmt.Sprint(maxReport), p.A, p.B}})
	var re *run.Error
	if err != nil && !(errors.As(err, &re) && re.ExitCode() == 1) { // 1: differences found
		return "diffoscope failed: " + err.Error()
	}
	return strings.TrimSpace(out)
}

func sha256File(p string) (string, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	h := sha256.New()
	if _, err := io.Copy(h, fh); err != nil {
		return "", fmt.Errorf("read %s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func ignoreMissing(err error) error {
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

func orMissing(sum string) string {
	if sum == "" {
		return "missing"
	}
	return sum
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }
