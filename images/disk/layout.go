package disk

// MiB is a mebibyte; partitions start and end on MiB boundaries.
const MiB = 1 << 20

// Role says what a partition is for.
type Role string

// The partitions of the vm layout, in disk order.
const (
	BIOSBoot Role = "bios-boot" // GRUB's core.img for SeaBIOS and other BIOSes
	ESP      Role = "esp"       // EFI system partition: FAT with EFI/BOOT/BOOTX64.EFI
	Root     Role = "root"      // ext4 root filesystem with /boot
)

// GPT partition type GUIDs.
const (
	TypeBIOSBoot = "21686148-6449-6E6F-744E-656564454649"
	TypeESP      = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	TypeLinux    = "0FC63DAF-8483-4772-8E79-3D69D8477DE4"
)

// Partition is one GPT partition of a Layout.
type Partition struct {
	Index int    // GPT entry number, from 1
	Role  Role   // what it is for
	Name  string // GPT partition name
	Type  string // GPT partition type GUID
	GUID  string // unique partition GUID; empty in a plan
	Start int64  // offset in the image file, in bytes
	Size  int64  // length in bytes
}

// End is the offset just past the partition.
func (p Partition) End() int64 { return p.Start + p.Size }

// Layout is the geometry of an image: its size and its partitions in disk
// order.
type Layout struct {
	Size       int64 // length of the image file in bytes
	Partitions []Partition
}

// Partition returns the partition with role r.
func (l Layout) Partition(r Role) (Partition, bool) {
	for _, p := range l.Partitions {
		if p.Role == r {
			return p, true
		}
	}
	return Partition{}, false
}

// headSize is the space before the first partition (protective MBR, primary
// GPT) and tailSize the space after the last (backup GPT), both a MiB so
// every partition is MiB-aligned.
const (
	headSize     = 1 * MiB
	tailSize     = 1 * MiB
	biosBootSize = 1 * MiB
)

// layoutFor places the partitions of an image of total bytes with an ESP of
// espSize bytes; the root partition takes the rest.
func layoutFor(total, espSize int64) Layout {
	bios := Partition{Index: 1, Role: BIOSBoot, Name: "BSP", Type: TypeBIOSBoot, Start: headSize, Size: biosBootSize}
	esp := Partition{Index: 2, Role: ESP, Name: "ESP", Type: TypeESP, Start: bios.End(), Size: espSize}
	root := Partition{Index: 3, Role: Root, Name: "root", Type: TypeLinux, Start: esp.End()}
	root.Size = total - tailSize - root.Start
	return Layout{Size: total, Partitions: []Partition{bios, esp, root}}
}

// fixedSize is the part of an image that does not depend on its content.
func fixedSize(espSize int64) int64 {
	return headSize + biosBootSize + espSize + tailSize
}

func roundUp(n, to int64) int64 { return (n + to - 1) / to * to }
