// Command ramdisk-image-create builds a kernel and ramdisk pair
// (NAME.kernel, NAME.initramfs) from flavours, for maintenance work on bare
// metal such as deployment. Run it with -h for its options.
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
	code := cli.RamdiskImageCreate(ctx, os.Args[1:], os.Environ(), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
