package elements

import (
	"fmt"
	"slices"

	"github.com/tripleo/diskimage-builder/flavours"
)

// noDM, noMount and noRPM are the reasons most refusals share.
const (
	noDM    = "it makes LVM volumes, which needs device-mapper; this builder writes disks without device-mapper, loop devices or mounts"
	noMount = "it mounts during the build, and mounts here live only as long as one phase, in that phase's own namespace"
	noRPM   = "it is the package manager of RPM distributions; roots here are Debian (dpkg gives install-packages)"
)

// Refused are the original's library elements this builder cannot run,
// with the reason. Any element providing operating-system (other than the
// Debian ones done natively) or block-device is refused too.
var Refused = map[string]string{
	"lvm":                  noDM,
	"block-device-efi-lvm": noDM,
	"growvols":             "it grows LVM volumes at boot, and the images here have no LVM (making them needs device-mapper)",
	"block-device-efi-4k":  "it needs a loop device with 4K sectors; disks here are written without loop devices",
	"iso":                  "it builds the ISO's EFI image by loop-mounting it",
	"pip-cache":            noMount,
	"pypi":                 noMount,
	"baremetal":            "it copies the kernel and initrd beside the image itself, outside the build's all-or-nothing outputs; disk-image-get-kernel extracts them from the image",
	"uboot":                "it post-processes the kernel for ARM U-Boot boards; images here are amd64",
	"dracut-ramdisk":       "it builds the ramdisk with dracut inside the image; ramdisk-image-create assembles ramdisks itself (use ramdisk-base)",
	"no-final-image":       "every build here writes the outputs it is asked for (-t); leave it out",
	"zipl":                 "it is the s390x bootloader; images here are amd64",
	"replace-partition":    "it replaces a partition of an image with loop devices",
	"docker":               "it makes the root with docker",
	"containerfile":        "it makes the root with podman or docker",
	"yum":                  noRPM,
	"yum-minimal":          noRPM,
	"zypper":               noRPM,
	"zypper-minimal":       noRPM,
}

// refuse refuses an element found on ELEMENTS_PATH that this builder
// cannot run.
func refuse(f *flavours.Flavour) error {
	if why, ok := Refused[f.Name]; ok {
		return fmt.Errorf("element %s (%s) is not supported: %s", f.Name, f.Dir, why)
	}
	if slices.Contains(f.Provides, flavours.OperatingSystem) {
		return fmt.Errorf("element %s (%s) is not supported: it provides %s, and only Debian roots are built here (use debian-minimal or debian)",
			f.Name, f.Dir, flavours.OperatingSystem)
	}
	if slices.Contains(f.Provides, "block-device") {
		return fmt.Errorf("element %s (%s) is not supported: it provides block-device, and the disk here is always the vm flavour's hybrid GPT (use block-device-efi, -mbr or -gpt)",
			f.Name, f.Dir)
	}
	return nil
}
