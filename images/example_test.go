package images_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/images"
	"github.com/tripleo/diskimage-builder/rootfs"
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

// Plan checks a spec and resolves its flavours without making anything:
// what the commands do before they look at privileges.
func ExampleSpec_Plan() {
	out, err := os.MkdirTemp("", "example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)
	plan, err := images.Spec{Name: filepath.Join(out, "vm"), Flavours: []string{"vm"}, Types: []string{"qcow2", "tar"}}.Plan()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Root.Flavours.Names(), plan.Spec.Types, plan.Root.Spec.Arch)

	_, err = images.Spec{Name: filepath.Join(out, "vm"), Flavours: []string{"vm"}, Types: []string{"iso"}}.Plan()
	fmt.Println(images.IsInputError(err), err)
	// Output:
	// [vm] [qcow2 tar] amd64
	// true unknown output type "iso" (known: qcow2, raw, vhd, vmdk, tar)
}

// Write is the disk stage alone: a recipe builds the root, looks at it,
// then writes it out. It needs root, so this example is compiled but not
// run.
func ExampleWrite() {
	ctx := context.Background()
	plan, err := images.Spec{Name: "out/vm", Flavours: []string{"base", "vm"}}.Plan()
	if err != nil {
		log.Fatal(err)
	}
	root, err := rootfs.Build(ctx, plan.Root)
	defer root.Close()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("tree in", root.Tree, "from inputs", root.Fingerprint[:12])
	res, err := images.Write(ctx, root, plan)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Outputs, res.RootUUID)
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
