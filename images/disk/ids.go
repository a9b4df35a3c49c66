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
}

// idNamespace scopes UUIDs derived from a seed to this project.
var idNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/tripleo/diskimage-builder/images/disk"))

// NewIDs returns random identifiers, or when seed is not empty identifiers
// derived from it (name-based UUIDs, version 5), the same for the same seed.
func NewIDs(seed string) IDs {
	if seed == "" {
		var b [4]byte
		_, _ = rand.Read(b[:]) // never fails on Linux
		return IDs{
			Disk: uuid.NewString(), BIOSBoot: uuid.NewString(), ESP: uuid.NewString(),
			Root: uuid.NewString(), RootFS: uuid.NewString(),
			ESPSerial: binary.BigEndian.Uint32(b[:]),
		}
	}
	id := func(what string) string { return uuid.NewSHA1(idNamespace, []byte(seed+"\x00"+what)).String() }
	sum := sha256.Sum256([]byte(seed + "\x00esp-serial"))
	return IDs{
		Disk: id("disk"), BIOSBoot: id("bios-boot"), ESP: id("esp"), Root: id("root"),
		RootFS: id("rootfs"), HashSeed: id("hash-seed"),
		ESPSerial: binary.BigEndian.Uint32(sum[:4]),
	}
}

// ESPUUID is the ESP's serial as blkid and fstab's UUID= show it.
func (ids IDs) ESPUUID() string {
	return fmt.Sprintf("%04X-%04X", ids.ESPSerial>>16, ids.ESPSerial&0xffff)
}
