package kernel_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tripleo/diskimage-builder/images/kernel"
)

// A recipe extracts the kernel of the image it built, for PXE booting.
func ExampleExtract() {
	res, err := kernel.Extract(context.Background(), kernel.Options{Image: "out/vm.qcow2", Dir: "out/pxe", Prefix: "vm"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Kernel, res.Initrd, res.Version)
}

// Find says where the kernel is without writing anything.
func ExampleFind() {
	found, err := kernel.Find(context.Background(), "out/vm.qcow2")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(found.Partition, found.Filesystem, found.Kernel)
}
