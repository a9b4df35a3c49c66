package elements

import (
	"embed"
	"fmt"
	"io/fs"
)

// lib holds this project's own files for elements that source the
// original's library directory ($_LIB): img-functions with
// select_boot_kernel_initrd.
//
//go:embed lib
var lib embed.FS

// WriteLib writes the library directory elements find as $_LIB to dir.
func WriteLib(dir string) error {
	sub, err := fs.Sub(lib, "lib")
	if err != nil {
		return fmt.Errorf("write element library %s: %w", dir, err)
	}
	if err := writeFS(sub, dir); err != nil {
		return fmt.Errorf("write element library %s: %w", dir, err)
	}
	return nil
}
