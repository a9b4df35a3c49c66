package flavours_test

import (
	"fmt"

	"github.com/tripleo/diskimage-builder/flavours"
)

// Resolve finds the flavours a recipe names with their dependencies, in
// the order they run, and every hook, before anything is built.
func ExampleResolve() {
	set, err := flavours.Resolve([]string{"vm", "nova-compute"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(set.Names())
	for _, h := range set.Hooks(flavours.FirstBoot) {
		fmt.Println(h.Label())
	}
	// Output:
	// [vm base nova-compute]
	// base/first-boot.d/10-grow-root
	// nova-compute/first-boot.d/50-nova-from-config-drive
}

// A flavour that is not found is an error naming it, before any build.
func ExampleResolve_unknown() {
	_, err := flavours.Resolve([]string{"base", "no-such-flavour"}, []string{"my-flavours"})
	fmt.Println(err)
	// Output:
	// flavour "no-such-flavour" not found in my-flavours (FLAVOURS_PATH) or the built-in flavours
}
