//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/magefile/mage/mg"

	"github.com/tripleo/diskimage-builder/internal/testreport"
)

// Test holds the test tasks; ./mage test runs them all.
type Test mg.Namespace

// faultsPkg is the fault-injection and bad-input suite, run on its own so
// that its tables are printed.
const faultsPkg = "./integration/faults"

// All runs go vet and every test, then the fault and bad-input suites with their tables.
func (Test) All(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	if err := goCmd(ctx, "vet", "./..."); err != nil {
		return err
	}
	pkgs, err := goList(ctx)
	if err != nil {
		return err
	}
	// -count=1: the tests depend on the host (mirror, QEMU, cache), not only
	// on their sources, so a cached result proves nothing.
	var rep testreport.Report
	defer func() { fmt.Print(rep.Summary(15)) }()
	if err := rep.Run(ctx, mg.GoCmd(), append([]string{"test", "-json", "-count=1", "-timeout", "75m"}, pkgs...), os.Stdout); err != nil {
		return err
	}
	return faults(ctx, &rep)
}

// Faults runs the fault-injection and bad-input suites and prints their tables.
func (Test) Faults(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	var rep testreport.Report
	defer func() { fmt.Print(rep.Summary(15)) }()
	return faults(ctx, &rep)
}

// faults runs the fault suite into rep, every test's output shown: the
// tables are its output.
func faults(ctx context.Context, rep *testreport.Report) error {
	rep.Verbose = true
	return rep.Run(ctx, mg.GoCmd(), []string{"test", "-json", "-v", "-count=1", "-timeout", "30m", faultsPkg}, os.Stdout)
}

// goList lists the module's packages but the fault suite.
func goList(ctx context.Context) ([]string, error) {
	out, err := goOutput(ctx, "list", "./...")
	if err != nil {
		return nil, err
	}
	var pkgs []string
	for _, p := range strings.Fields(out) {
		if !strings.HasSuffix(p, strings.TrimPrefix(faultsPkg, ".")) {
			pkgs = append(pkgs, p)
		}
	}
	return pkgs, nil
}
