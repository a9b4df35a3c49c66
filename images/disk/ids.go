package disk

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/google/uuid"
)

// IDs are the identifiers of one image, chosen before anything is written
// so that grub.cfg, fstab and the filesystems agree.
type IDs struct {
	Disk      string // GPT disk GUID
	BIOSBoot  string // partition GUIDs
	ESP       string
	Root      string
	RootFS    string // ext4 filesystem UUID
	ESPSerial uint32 // FAT volume serial, shown as XXXX-XXXX
	HashSeed  string // ext4 directory hash seed; empty means mkfs's own
	VHD       string // unique id in a vhd output's footer
	VMDKCID   uint32 // content id in a vmdk output's descriptor
}

// idNamespace scopes UUIDs derived from a seed to this project.
var idNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/tripleo/diskimage-builder/images/disk"))

// NewIDs returns random identifiers, or when seed is not empty identifiers
// derived from it, the same for the same seed: each UUID is the name-based
// UUID (version 5, SHA-1) of seed, a NUL and the identifier's role ("disk",
// "bios-boot", "esp", "root", "rootfs", "hash-seed", "vhd") in idNamespace;
// the ESP serial and the vmdk CID are the first four bytes of the SHA-256
// of seed, a NUL and "esp-serial" or "vmdk-cid". Different seeds give
// different identifiers, and no two roles share one.
func NewIDs(seed string) IDs {
	if seed == "" {
		return IDs{
			Disk: uuid.NewString(), BIOSBoot: uuid.NewString(), ESP: uuid.NewString(),
			Root: uuid.NewString(), RootFS: uuid.NewString(), VHD: uuid.NewString(),
			ESPSerial: random32(), VMDKCID: random32(),
		}
	}
	id := func(what string) string { return uuid.NewSHA1(idNamespace, []byte(seed+"\x00"+what)).String() }
	u32 := func(what string) uint32 {
		sum := sha256.Sum256([]byte(seed + "\x00" + what))
		return binary.BigEndian.Uint32(sum[:4])
	}
	return IDs{
		Disk: id("disk"), BIOSBoot: id("bios-boot"), ESP: id("esp"), Root: id("root"),
		RootFS: id("rootfs"), HashSeed: id("hash-seed"), VHD: id("vhd"),
		ESPSerial: u32("esp-serial"), VMDKCID: u32("vmdk-cid"),
	}
}

// random32 is four random bytes.
func random32() uint32 {
	var b [4]byte
	_, _ = rand.Read(b[:]) // never fails on Linux
	return binary.BigEndian.Uint32(b[:])
}

// ESPUUID is the ESP's serial as blkid and fstab's UUID= show it.
func (ids IDs) ESPUUID() string {
	return fmt.Sprintf("%04X-%04X", ids.ESPSerial>>16, ids.ESPSerial&0xffff)
}
