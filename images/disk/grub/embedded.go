package grub

import (
	"bytes"
	"debug/pe"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

// Embedded is what grub-mkimage built into an EFI image besides modules:
// the prefix GRUB starts with (-p), the configuration it runs first (-c),
// if any, and the memdisk (-m), a filesystem image GRUB sees as
// (memdisk), if any. Normal mode reads $prefix/grub.cfg unless the
// embedded configuration says otherwise.
type Embedded struct {
	Prefix  string
	Config  string
	Memdisk []byte
}

// Object types of GRUB's module area (include/grub/kernel.h).
const (
	objMemdisk = 1
	objConfig  = 2
	objPrefix  = 3
)

// moduleMagic opens the module area: "mimg" read as a little-endian word.
const moduleMagic = 0x676d696d

// maxEFIImage bounds the images ReadEmbedded parses: Debian's signed
// GRUB is under 3 MiB.
const maxEFIImage = 64 << 20

// ReadEmbedded reads the prefix and embedded configuration of the GRUB EFI
// image at path (such as Debian's signed grubx64.efi), from the objects
// grub-mkimage puts in its "mods" section. The image is untrusted input:
// every size in it is checked against the section that holds it.
func ReadEmbedded(path string) (Embedded, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return Embedded{}, fmt.Errorf("read grub image: %w", err)
	}
	if fi.Size() > maxEFIImage {
		return Embedded{}, fmt.Errorf("read grub image %s: %d bytes is more than a GRUB image holds", path, fi.Size())
	}
	f, err := pe.Open(path)
	if err != nil {
		return Embedded{}, fmt.Errorf("read grub image %s: %w", path, err)
	}
	defer f.Close()
	s := f.Section("mods")
	if s == nil {
		return Embedded{}, fmt.Errorf("read grub image %s: no mods section: not a GRUB EFI image", path)
	}
	data, err := s.Data()
	if err != nil {
		return Embedded{}, fmt.Errorf("read grub image %s: mods section: %w", path, err)
	}
	e, err := parseModules(data)
	if err != nil {
		return Embedded{}, fmt.Errorf("read grub image %s: %w", path, err)
	}
	return e, nil
}

// parseModules walks the module area: a header (magic, padding, offset of
// the first object, size of the whole area), then objects of a type and a
// size that counts their own 8-byte header.
func parseModules(b []byte) (Embedded, error) {
	if len(b) < 24 || binary.LittleEndian.Uint32(b) != moduleMagic {
		return Embedded{}, errors.New("no module area at the start of the mods section")
	}
	off, size := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
	if size > uint64(len(b)) || off < 24 || off > size {
		return Embedded{}, fmt.Errorf("module area of %d bytes from %d does not fit its section of %d", size, off, len(b))
	}
	var e Embedded
	for p := off; p < size; {
		if size-p < 8 {
			return Embedded{}, fmt.Errorf("module object at %d: truncated header", p)
		}
		typ, n := binary.LittleEndian.Uint32(b[p:]), uint64(binary.LittleEndian.Uint32(b[p+4:]))
		if n < 8 || n > size-p {
			return Embedded{}, fmt.Errorf("module object at %d: size %d out of bounds", p, n)
		}
		switch typ {
		case objPrefix:
			e.Prefix = cString(b[p+8 : p+n])
		case objConfig:
			e.Config = cString(b[p+8 : p+n])
		case objMemdisk:
			e.Memdisk = b[p+8 : p+n]
		}
		p += n
	}
	return e, nil
}

// cString is b up to its first NUL: grub-mkimage pads strings with NULs.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}
