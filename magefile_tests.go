//go:build mage

package main

import (
	"context"
	"strings"

	"github.com/magefile/mage/mg"
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
	if err := goCmd(ctx, append([]string{"test", "-count=1", "-timeout", "75m"}, pkgs...)...); err != nil {
		return err
	}
	return Test{}.Faults(ctx)
}

// Faults runs the fault-injection and bad-input suites and prints their tables.
func (Test) Faults(ctx context.Context) error {
	mg.CtxDeps(ctx, Deps)
	return goCmd(ctx, "test", "-v", "-count=1", "-timeout", "30m", faultsPkg)
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
