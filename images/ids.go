package images

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/tripleo/diskimage-builder/images/disk"
	"github.com/tripleo/diskimage-builder/images/format"
)

// identitySeed is what every identifier of an image is derived from (see
// disk.NewIDs, which turns it into the filesystem UUID and hash seed, the
// FAT serial, the GPT GUIDs, the vhd UUID and the vmdk CID): the SHA-256 of
// the root's fingerprint (rootfs.Plan.Fingerprint: the base's bytes, every
// file of every flavour, the -p packages, the variables that reach the
// hooks, the image's name and the SOURCE_DATE_EPOCH asked for), the disk's
// settings (size, ESP size, label, kernel arguments, Secure Boot) and
// Spec.Seed. The
// same inputs give the same identifiers on any host, in any directory, at
// any time; a change to any input, or another seed, gives new ones, so two
// different images never share them.
func identitySeed(fingerprint string, d disk.Spec, seed string) string {
	h := sha256.New()
	fmt.Fprintf(h, "diskimage-builder identifiers v1\nroot %s\nsize %d\nesp %d\nlabel %s\ncmdline %s\nsecure-boot %t\nseed %s\n",
		fingerprint, d.Size, d.ESPSizeMiB, d.Label, strings.Join(d.ExtraCmdline, " "), d.SecureBoot, seed)
	return hex.EncodeToString(h.Sum(nil))
}

// diskSpec is the disk stage's disk.Spec for this build: the plan's, with
// the identifiers' seed and the root's epoch.
func (w *writer) diskSpec() disk.Spec {
	d := w.plan.Disk
	d.Seed = identitySeed(w.root.Fingerprint, d, w.plan.Spec.Seed)
	d.Epoch = w.root.Epoch
	return d
}

// stamps are what the vhd and vmdk outputs of this build record.
func (w *writer) stamps(final string) format.Stamps {
	ids := disk.NewIDs(w.diskSpec().Seed)
	return format.Stamps{Time: w.root.Epoch, VHDUUID: uuid.MustParse(ids.VHD), VMDKCID: ids.VMDKCID, Name: baseName(final)}
}

// baseName is the last element of the path p.
func baseName(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}
