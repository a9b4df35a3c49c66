//go:build mage

package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/magefile/mage/mg"
	"github.com/tripleo/diskimage-builder/internal/sys/logx"
	"github.com/tripleo/diskimage-builder/internal/verify"
)

// Verify holds checks of what the recipes build.
type Verify mg.Namespace

// Reproducible rebuilds a recipe in a fresh directory and compares its outputs byte for byte (./mage verify:reproducible image:vm).
func (Verify) Reproducible(ctx context.Context, recipe string) error {
	mg.CtxDeps(ctx, Deps)
	dir, err := os.MkdirTemp("", "dib-verify-")
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer os.RemoveAll(dir)
	log := logx.NewTimestampWriter(os.Stderr)
	var first string
	var names []string
	if spec, ok := imageRecipes[recipe]; ok {
		// The recipe's own outputs, made now unless they are up to date.
		if err := buildImage(ctx, spec); err != nil {
			return err
		}
		first = spec.Name
		spec.Name, spec.TmpDir, spec.Log, spec.Overwrite = filepath.Join(dir, filepath.Base(spec.Name)), dir, log, true
		fmt.Fprintf(os.Stderr, "verify: building %s again in %s\n", recipe, dir)
		plan, err := spec.Plan()
		if err != nil {
			return err
		}
		res, err := plan.Build(ctx)
		if err != nil {
			return err
		}
		for _, o := range append(res.Outputs, res.SBOM) {
			names = append(names, filepath.Base(o))
		}
	} else if spec, ok := ramdiskRecipes[recipe]; ok {
		if err := buildRamdisk(ctx, spec); err != nil {
			return err
		}
		first = spec.Name
		spec.Name, spec.TmpDir, spec.Log, spec.NoRootCache = filepath.Join(dir, filepath.Base(spec.Name)), dir, log, true
		fmt.Fprintf(os.Stderr, "verify: building %s again in %s, running every hook\n", recipe, dir)
		if err := buildRamdisk(ctx, spec); err != nil {
			return err
		}
		base := filepath.Base(spec.Name)
		names = []string{base + ".kernel", base + ".initramfs", base + ".cdx.json"}
	} else {
		return fmt.Errorf("verify: unknown recipe %q (known: %v)", recipe, knownRecipes())
	}
	diffs, err := verify.Compare(ctx, verify.Pairs(filepath.Dir(first), dir, names...), os.Stdout)
	if err != nil {
		return err
	}
	if len(diffs) > 0 {
		return fmt.Errorf("verify: %s is not reproducible: %d of %d outputs differ", recipe, len(diffs), len(names))
	}
	fmt.Printf("%s: %d outputs, the same bytes\n", recipe, len(names))
	return nil
}

// knownRecipes lists the recipes verify:reproducible knows.
func knownRecipes() []string {
	var names []string
	for n := range imageRecipes {
		names = append(names, n)
	}
	for n := range ramdiskRecipes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
