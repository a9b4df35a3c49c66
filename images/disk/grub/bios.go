package grub

import (
	"encoding/binary"
	"fmt"
)

// Offsets inside GRUB's i386-pc boot sectors, as defined by GRUB's
// include/grub/i386/pc/boot.h and used by util/setup.c.
const (
	SectorSize = 512 // bytes in a disk sector as BIOS and GRUB count them

	// BootCodeSize is how much of boot.img goes into the MBR: the code
	// before the disk signature and partition entries.
	BootCodeSize = 440
	// bpbStart and bpbEnd bound the BIOS parameter block area of boot.img,
	// which keeps the bytes already in the MBR (as grub-setup does).
	bpbStart = 0x03
	bpbEnd   = 0x5a
	// kernelSectorOffset holds the 64-bit LBA of core.img's first sector.
	kernelSectorOffset = 0x5c
	// driveCheckOffset is a 2-byte jump that grub-setup replaces with two
	// NOPs for hard disks, for BIOSes that pass a wrong boot drive.
	driveCheckOffset = 0x66
	// blocklistOffset is the first (last-in-sector) blocklist entry of
	// diskboot.img, the first sector of core.img: a 64-bit start LBA,
	// a 16-bit sector count and a 16-bit load segment.
	blocklistOffset = SectorSize - 12
	// coreLoadSegment is the segment diskboot.img loads core.img's second
	// sector to; grub-mkimage writes it and it is checked, not set.
	coreLoadSegment = 0x820
)

// PatchMBR writes the boot code of bootImg into mbr (the disk's first
// sector) and points it at core.img's first sector, coreLBA. The BIOS
// parameter block area, disk signature, partition entries and boot signature
// already in mbr are kept, so a protective MBR stays valid.
func PatchMBR(mbr, bootImg []byte, coreLBA uint64) error {
	if len(mbr) != SectorSize {
		return fmt.Errorf("patch mbr: mbr is %d bytes, want %d", len(mbr), SectorSize)
	}
	if len(bootImg) != SectorSize {
		return fmt.Errorf("patch mbr: boot.img is %d bytes, want %d", len(bootImg), SectorSize)
	}
	code := make([]byte, BootCodeSize)
	copy(code, bootImg[:BootCodeSize])
	copy(code[bpbStart:bpbEnd], mbr[bpbStart:bpbEnd])
	binary.LittleEndian.PutUint64(code[kernelSectorOffset:], coreLBA)
	code[driveCheckOffset], code[driveCheckOffset+1] = 0x90, 0x90
	copy(mbr, code)
	return nil
}

// CoreSectors is the number of disk sectors core holds.
func CoreSectors(core []byte) int {
	return (len(core) + SectorSize - 1) / SectorSize
}

// PatchCore sets the blocklist in core.img's first sector (diskboot.img) so
// that it loads the rest of core.img from the sectors after coreLBA, where
// core.img's first sector is written.
func PatchCore(core []byte, coreLBA uint64) error {
	n := CoreSectors(core)
	if n < 2 {
		return fmt.Errorf("patch core.img: %d bytes is too short for an i386-pc core image", len(core))
	}
	if n-1 > 0xffff {
		return fmt.Errorf("patch core.img: %d sectors do not fit a blocklist entry", n)
	}
	entry := core[blocklistOffset:SectorSize]
	if seg := binary.LittleEndian.Uint16(entry[10:]); seg != coreLoadSegment {
		return fmt.Errorf("patch core.img: load segment %#x in diskboot.img, want %#x: not an i386-pc core image", seg, coreLoadSegment)
	}
	binary.LittleEndian.PutUint64(entry[0:], coreLBA+1)
	binary.LittleEndian.PutUint16(entry[8:], uint16(n-1))
	return nil
}
