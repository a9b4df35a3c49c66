// Package format writes a build's outputs: a tar of the root tree, and disk
// images converted from a raw disk with qemu-img.
package format

import (
	"context"
	"fmt"

	"github.com/tripleo/diskimage-builder/internal/run"
)

// Tar writes the tree at root into the tar file dst: numeric owners,
// extended attributes, "./" paths, sorted names.
func Tar(ctx context.Context, root, dst string) error {
	argv := []string{"tar", "--create", "--file", dst, "--directory", root, "--numeric-owner",
		"--xattrs", "--xattrs-include=*", "--acls", "--sort=name", "."}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("tar %s: %w", root, err)
	}
	return nil
}

// qemuFormat maps an output type to qemu-img's format name.
var qemuFormat = map[string]string{"qcow2": "qcow2", "raw": "raw", "vhd": "vpc", "vmdk": "vmdk"}

// Convert writes the raw disk src as type t ("qcow2", "raw", "vhd",
// "vmdk") into dst. A compressed qcow2 uses zstd clusters.
func Convert(ctx context.Context, src, dst, t string, compress bool) error {
	f, ok := qemuFormat[t]
	if !ok {
		return fmt.Errorf("unknown disk format %q", t)
	}
	argv := []string{"qemu-img", "convert", "-f", "raw", "-O", f}
	switch {
	case t == "qcow2" && compress:
		argv = append(argv, "-c", "-o", "compression_type=zstd")
	case t == "vhd":
		argv = append(argv, "-o", "subformat=dynamic")
	case t == "vmdk":
		argv = append(argv, "-o", "subformat=streamOptimized")
	}
	argv = append(argv, src, dst)
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("convert to %s: %w", t, err)
	}
	return nil
}
