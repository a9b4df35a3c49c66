// Package disk turns a finished root tree into a bootable raw disk image
// file for the vm flavour: GPT with a 1 MiB BIOS boot partition, an EFI
// system partition and an ext4 root, bootable under SeaBIOS and UEFI (OVMF).
//
// Nothing is mounted and no loop device is used. Identifiers are chosen
// first (NewIDs) and written into the tree's grub.cfg and fstab; mkfs.ext4
// -d makes the root filesystem from the tree directly at its offset in the
// image file (-E offset=), mkfs.fat --offset and mtools make the ESP in
// place, go-diskfs writes the GPT and protective MBR, and the grub package
// writes boot.img's code into the MBR and core.img into the BIOS boot
// partition. With Spec.SecureBoot the ESP holds the tree's signed chain
// instead of a GRUB image of our own: Debian's shim on the removable-media
// path and GRUB with its grub.cfg where the signed image's prefix points
// (SignedESP, VendorDir).
//
// Plan and MinSize check a size against a tree before anything heavy runs;
// Build makes the image.
package disk
