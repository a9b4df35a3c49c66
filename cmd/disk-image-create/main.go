// Command disk-image-create builds a bootable disk image from flavours.
// Run it with -h for its options.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/tripleo/diskimage-builder/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.DiskImageCreate(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
