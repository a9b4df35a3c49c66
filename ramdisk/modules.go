package ramdisk

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/tripleo/diskimage-builder/ramdisk/modules"
)

// DefaultModuleDirs are the directories below kernel/ whose modules every
// ramdisk has: storage controllers, disks, network cards and virtio.
var DefaultModuleDirs = []string{
	"drivers/virtio", "drivers/block", "drivers/nvme/host", "drivers/ata", "drivers/scsi",
	"drivers/net/ethernet", "drivers/message/fusion",
}

// DefaultModules are modules every ramdisk has when the kernel builds them
// as modules; unlike a flavour's kernel-modules, a missing one is no error.
var DefaultModules = []string{
	"virtio_net", "virtio_blk", "virtio_scsi", "virtio_pci", "virtio_rng", "net_failover",
	"sd_mod", "sr_mod", "nvme", "ahci", "af_packet", "crc32c_generic", "crc32c_intel",
}

// modules adds the default modules, each flavour's kernel-modules (or
// every module) with their dependencies and the modules.* files.
func (as *assembler) modules(all bool) error {
	root, kver := as.src.modRoot, as.src.kver
	set, err := modules.Closure(root, kver, modules.Want{All: all, Dirs: DefaultModuleDirs})
	if err != nil {
		return err
	}
	if err := as.a.AddTree(root, set.Files()...); err != nil {
		return err
	}
	for _, name := range DefaultModules {
		set, err := modules.Closure(root, kver, modules.Want{Names: []string{name}})
		if errors.Is(err, modules.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := as.a.AddTree(root, set.Files()...); err != nil {
			return err
		}
	}
	for _, f := range as.set.Flavours {
		names, err := readList(f, KernelModulesFile)
		if err != nil || len(names) == 0 {
			if err != nil {
				return err
			}
			continue
		}
		set, err := modules.Closure(root, kver, modules.Want{Names: names})
		if err != nil {
			return fmt.Errorf("flavour %s: %s: %w", f.Name, KernelModulesFile, err)
		}
		if err := as.a.AddTree(root, set.Files()...); err != nil {
			return err
		}
	}
	return nil
}

// firmware adds the firmware files the flavours name.
func (as *assembler) firmware() error {
	for _, f := range as.set.Flavours {
		names, err := readList(f, FirmwareFile)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			continue
		}
		files, missing, err := modules.Firmware(as.src.modRoot, names...)
		if err != nil {
			return fmt.Errorf("flavour %s: %w", f.Name, err)
		}
		if len(missing) > 0 {
			return fmt.Errorf("flavour %s: firmware %s not found in %s", f.Name,
				strings.Join(missing, ", "), filepath.Join(as.src.modRoot, modules.FirmwareDir))
		}
		if err := as.a.AddTree(as.src.modRoot, files...); err != nil {
			return fmt.Errorf("flavour %s: %w", f.Name, err)
		}
	}
	return nil
}
