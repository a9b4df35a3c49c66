package disk

import (
	"fmt"
	"os"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// installBIOS writes GRUB for BIOS boot into the image: core.img into the
// BIOS boot partition, with its blocklist pointing at its own sectors, and
// the tree's boot.img code into the MBR, pointing at core.img. The
// protective MBR's partition entries are kept.
func installBIOS(f *os.File, tree, coreImg string, part Partition) error {
	bootPath, err := inroot.HostPath(tree, "/usr/lib/grub/i386-pc/boot.img")
	if err != nil {
		return fmt.Errorf("install bios boot code: %w", err)
	}
	bootImg, err := os.ReadFile(bootPath)
	if err != nil {
		return fmt.Errorf("install bios boot code: %w", err)
	}
	core, err := os.ReadFile(coreImg)
	if err != nil {
		return fmt.Errorf("install bios boot code: %w", err)
	}
	if n := int64(grub.CoreSectors(core)) * grub.SectorSize; n > part.Size {
		return fmt.Errorf("install bios boot code: core.img of %d bytes does not fit the %d bytes BIOS boot partition", len(core), part.Size)
	}
	lba := uint64(part.Start / grub.SectorSize)
	core = append(core, make([]byte, grub.CoreSectors(core)*grub.SectorSize-len(core))...)
	if err := grub.PatchCore(core, lba); err != nil {
		return fmt.Errorf("install bios boot code: %w", err)
	}
	if _, err := f.WriteAt(core, part.Start); err != nil {
		return fmt.Errorf("install bios boot code: write core.img to %s: %w", f.Name(), err)
	}
	mbr := make([]byte, grub.SectorSize)
	if _, err := f.ReadAt(mbr, 0); err != nil {
		return fmt.Errorf("install bios boot code: read mbr of %s: %w", f.Name(), err)
	}
	if err := grub.PatchMBR(mbr, bootImg, lba); err != nil {
		return fmt.Errorf("install bios boot code: %w", err)
	}
	if _, err := f.WriteAt(mbr, 0); err != nil {
		return fmt.Errorf("install bios boot code: write mbr of %s: %w", f.Name(), err)
	}
	return nil
}
