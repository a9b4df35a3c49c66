package disk

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Defaults of a Spec.
const (
	DefaultESPSizeMiB = 64
	MinESPSizeMiB     = 40 // FAT32 needs 65525 clusters of 512 bytes
	MaxESPSizeMiB     = 4096
	DefaultLabel      = "cloudimg-rootfs"
	maxLabel          = 16 // bytes in an ext4 volume label
)

// Spec says what image Build makes. The zero Spec is valid: an image sized
// from the tree with random identifiers.
type Spec struct {
	// Size is the image size in bytes, rounded up to a whole MiB; 0 sizes
	// the image from the tree with headroom (30% and 128 MiB).
	Size int64
	// ExtraCmdline is appended to the kernel command line after
	// root=UUID=... ro console=tty0 console=ttyS0,115200n8.
	ExtraCmdline []string
	// Label is the root filesystem label; empty means DefaultLabel.
	Label string
	// MkfsOptions are extra mkfs.ext4 options for the root filesystem
	// (the original's --mkfs-options), after the ones Build sets.
	MkfsOptions []string
	// ESPSizeMiB is the EFI system partition size; 0 means
	// DefaultESPSizeMiB.
	ESPSizeMiB int
	// Seed, when not empty, derives every UUID, the ESP serial and the
	// ext4 directory hash seed from it, so that the same tree and Spec give
	// the same identifiers. Empty means random ones.
	Seed string
	// Epoch is the build's SOURCE_DATE_EPOCH: the time of every file and
	// filesystem, given to mke2fs and mtools and clamped in the tree (see
	// FindMke2fs). The zero Time leaves the tools their clock.
	Epoch time.Time
	// SecureBoot boots UEFI through the tree's signed chain (Debian's
	// shim, GRUB and kernel; see SignedESP) instead of a GRUB image made by
	// grub-mkimage, so the image boots with Secure Boot enforced. BIOS boot
	// is the same either way.
	SecureBoot bool
	// Stream, when not nil, receives the output of the commands Build runs.
	Stream io.Writer
}

func (s Spec) espSizeMiB() int {
	if s.ESPSizeMiB == 0 {
		return DefaultESPSizeMiB
	}
	return s.ESPSizeMiB
}

func (s Spec) label() string {
	if s.Label == "" {
		return DefaultLabel
	}
	return s.Label
}

// Validate checks the Spec without looking at a tree.
func (s Spec) Validate() error {
	if s.Size < 0 {
		return fmt.Errorf("disk spec: negative size %d", s.Size)
	}
	if e := s.espSizeMiB(); e < MinESPSizeMiB || e > MaxESPSizeMiB {
		return fmt.Errorf("disk spec: ESP size %d MiB is outside %d..%d MiB", e, MinESPSizeMiB, MaxESPSizeMiB)
	}
	if l := s.label(); len(l) > maxLabel || strings.ContainsAny(l, "\x00\n") {
		return fmt.Errorf("disk spec: root label %q is longer than %d bytes or has a control character", l, maxLabel)
	}
	if err := CheckMkfsOptions(s.MkfsOptions); err != nil {
		return fmt.Errorf("disk spec: %w", err)
	}
	for _, a := range s.ExtraCmdline {
		if err := checkCmdlineArg(a); err != nil {
			return fmt.Errorf("disk spec: %w", err)
		}
	}
	return nil
}

// cmdlineUnsafe are characters that GRUB's script parser would interpret
// or that cannot be in one kernel argument.
const cmdlineUnsafe = " \t\r\n\"'\\$;&|<>{}#`"

func checkCmdlineArg(a string) error {
	if a == "" || strings.ContainsAny(a, cmdlineUnsafe) {
		return fmt.Errorf("kernel argument %q is empty or has whitespace, a quote or one of \\$;&|<>{}#`", a)
	}
	return nil
}
