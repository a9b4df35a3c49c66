package ramdisk_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tripleo/diskimage-builder/ramdisk"
)

// Build makes the deploy ramdisk, as the ramdisk:deploy recipe does. Its
// target root is built with hooks running as root, so this example is
// compiled but not run.
func ExampleBuild() {
	res, err := ramdisk.Build(context.Background(), ramdisk.Spec{Name: "out/deploy", Flavours: []string{"deploy"}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Outputs(), res.KernelVersion, res.Size)
}

// Plan adds the base flavour and resolves the others, before anything is
// made.
func ExampleSpec_Plan() {
	plan, err := ramdisk.Spec{Name: "/tmp/deploy", Flavours: []string{"deploy"}}.Plan()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Flavours.Names(), plan.Spec.Compression)
	// Output:
	// [ramdisk-base deploy] gzip
}
