//go:build mage

package main

import (
	"context"
	"os"

	"github.com/magefile/mage/mg"

	"github.com/tripleo/diskimage-builder/internal/fuzzrun"
)

// Fuzz runs every fuzz target for FUZZTIME each (default 60s; or a count such as 10000x) and says how each went.
func Fuzz(ctx context.Context) error {
	fuzzTime, err := fuzzrun.ParseTime(os.Getenv("FUZZTIME"))
	if err != nil {
		return err
	}
	targets, err := fuzzrun.Targets(".")
	if err != nil {
		return err
	}
	return fuzzrun.Run(ctx, mg.GoCmd(), ".", targets, fuzzTime, os.Stdout)
}
