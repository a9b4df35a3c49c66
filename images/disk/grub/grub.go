// Package grub makes GRUB boot images from a Debian root tree and installs
// them into a disk image file without mounting it or using a loop device.
//
// Images are made by the tree's own grub-mkimage with the tree's own
// modules, so the core image and the modules GRUB loads later always come
// from the same GRUB build. The tree's binary is run through the tree's own
// dynamic loader and libraries (see internal/sys/treeexec), so a tree newer than the
// host works without a chroot.
package grub

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
	"github.com/tripleo/diskimage-builder/internal/sys/treeexec"
)

// Platforms GRUB is built for here.
const (
	PC  = "i386-pc"    // BIOS boot: core.img in the BIOS boot partition
	EFI = "x86_64-efi" // UEFI boot: BOOTX64.EFI on the ESP
)

// PCModules are built into core.img: enough to find the root filesystem by
// UUID on a GPT disk and start normal mode, which loads the rest from
// /boot/grub/i386-pc.
var PCModules = []string{
	"biosdisk", "part_gpt", "part_msdos", "ext2", "search", "search_fs_uuid",
	"normal", "configfile", "linux", "echo", "test", "serial", "terminal",
}

// EFIModules are built into BOOTX64.EFI, for the same purpose as PCModules.
var EFIModules = []string{
	"part_gpt", "part_msdos", "fat", "ext2", "search", "search_fs_uuid",
	"normal", "configfile", "linux", "echo", "test", "serial", "terminal",
	"efi_gop", "all_video",
}

// Image describes one image grub-mkimage makes.
type Image struct {
	Platform string   // PC or EFI (grub-mkimage -O)
	Modules  []string // modules built into the image
	Config   string   // configuration embedded in the image (-c)
	Prefix   string   // GRUB's prefix (-p); empty means /boot/grub
	Memdisk  string   // a filesystem image built in as (memdisk) (-m), if any
}

// EmbeddedConfig is the configuration built into both images: it finds the
// root filesystem by UUID and sets the prefix there, so that normal mode
// reads /boot/grub/grub.cfg and loads modules from /boot/grub/PLATFORM.
func EmbeddedConfig(rootUUID string) string {
	return fmt.Sprintf("search --no-floppy --fs-uuid --set=root %s\nset prefix=($root)/boot/grub\n", rootUUID)
}

// Mkimage runs the tree's grub-mkimage with the tree's modules for
// img.Platform and writes the image to out. Command output goes to stream
// when it is not nil.
func Mkimage(ctx context.Context, tree string, img Image, out string, stream io.Writer) error {
	modDir := filepath.Join(tree, "usr/lib/grub", img.Platform)
	if _, err := os.Stat(filepath.Join(modDir, "kernel.img")); err != nil {
		return fmt.Errorf("grub-mkimage %s: no GRUB modules for the platform in the tree: %w", img.Platform, err)
	}
	prefix := img.Prefix
	if prefix == "" {
		prefix = "/boot/grub"
	}
	cfg := out + ".cfg"
	if err := os.WriteFile(cfg, []byte(img.Config), 0o644); err != nil {
		return fmt.Errorf("grub-mkimage %s: write embedded config: %w", img.Platform, err)
	}
	defer os.Remove(cfg)

	argv, err := treeexec.Command(tree, "/usr/bin/grub-mkimage")
	if err != nil {
		return err
	}
	if img.Memdisk != "" {
		argv = append(argv, "-m", img.Memdisk) // before -p: -m sets the prefix to (memdisk)/boot/grub
	}
	argv = append(argv, "-d", modDir, "-O", img.Platform, "-o", out, "-c", cfg, "-p", prefix)
	argv = append(argv, img.Modules...)
	if _, err := run.Run(ctx, run.Cmd{Argv: argv, Stream: stream, Label: "grub-mkimage"}); err != nil {
		return fmt.Errorf("grub-mkimage %s: %w", img.Platform, err)
	}
	return nil
}
