package images_test

import (
	"context"
	"fmt"
	"log"

	"github.com/tripleo/diskimage-builder/images"
)

// Build makes a nova-compute node image, as the image:novaCompute recipe
// does. It needs root (hooks run as root in the image), so this example is
// compiled but not run.
func ExampleBuild() {
	res, err := images.Build(context.Background(), images.Spec{
		Name:     "out/nova-compute",
		Flavours: []string{"base", "vm", "local-config", "nova-compute"},
		Types:    []string{"qcow2", "raw"},
		Packages: []string{"htop"},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range res.Outputs {
		fmt.Println(o) // out/nova-compute.qcow2, out/nova-compute.raw
	}
	fmt.Printf("built in %s\n", res.Duration)
}

// Output names the file of one output type.
func ExampleSpec_Output() {
	spec := images.Spec{Name: "out/vm", Flavours: []string{"base", "vm"}, Types: []string{"qcow2", "tar"}}
	for _, t := range spec.Types {
		fmt.Println(spec.Output(t))
	}
	// Output:
	// out/vm.qcow2
	// out/vm.tar
}
