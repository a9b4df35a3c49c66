//go:build mage

package main

import (
	"context"
	"fmt"
	"os"

	"github.com/tripleo/diskimage-builder/bench"
	"github.com/tripleo/diskimage-builder/internal/hostdeps"
	"github.com/tripleo/diskimage-builder/internal/sys/logx"
)

// Bench times cold, warm (as root and unprivileged) and ramdisk builds and disk-image-get-kernel into out/bench.md (BENCH_RUNS=cold=1,warm=3).
func Bench(ctx context.Context) error {
	if err := hostdeps.Ensure(ctx, os.Stdout); err != nil {
		return err
	}
	counts, err := bench.ParseCounts(os.Getenv("BENCH_RUNS"))
	if err != nil {
		return err
	}
	only, err := bench.ParseOnly(os.Getenv("BENCH_ONLY"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll("out", 0o755); err != nil {
		return err
	}
	logf, err := os.Create("out/bench.log")
	if err != nil {
		return err
	}
	defer logf.Close()
	fmt.Fprintln(os.Stderr, "bench: build logs in out/bench.log")
	rep, runErr := bench.Run(ctx, bench.Config{Counts: counts, Only: only, Log: logx.NewTimestampWriter(logf), Progress: os.Stderr})
	if rep == nil {
		return runErr
	}
	md := rep.Markdown()
	fmt.Print(md)
	if err := os.WriteFile("out/bench.md", []byte(md), 0o644); err != nil {
		return fmt.Errorf("write out/bench.md: %w", err)
	}
	return runErr
}
