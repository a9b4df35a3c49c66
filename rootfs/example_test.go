package rootfs_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/rootfs"
)

// Plan resolves the flavours and fills in the defaults; Base says which
// cached base the build starts from. Nothing is made.
func ExampleSpec_Plan() {
	plan, err := rootfs.Spec{Flavours: []string{"nova-compute"}, Arch: "x86_64", Release: "trixie"}.Plan()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(plan.Flavours.Names(), plan.Spec.Arch, plan.Base().Release)

	_, err = rootfs.Spec{Flavours: []string{"base"}, Break: []string{"before-lunch"}}.Plan()
	fmt.Println(rootfs.IsInputError(err))
	// Output:
	// [base nova-compute] amd64 trixie
	// true
}

// Build makes a root tree that a recipe then reads (here: its os-release).
// It needs root, so this example is compiled but not run.
func ExampleBuild() {
	plan, err := rootfs.Spec{Flavours: []string{"base"}}.Plan()
	if err != nil {
		log.Fatal(err)
	}
	root, err := rootfs.Build(context.Background(), plan)
	defer root.Close()
	if err != nil {
		log.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(root.Tree, "etc/os-release"))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s\nphases: %v\n", data, root.Phases)
}
