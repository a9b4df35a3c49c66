// Command disk-image-get-kernel extracts the kernel and initrd from a disk
// image, for PXE booting a machine with that image.
package main

import (
	"os"

	"github.com/tripleo/diskimage-builder/internal/cli"
)

func main() {
	os.Exit(cli.DiskImageGetKernel(os.Args[1:], os.Stdout, os.Stderr))
}
