package diskread

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"
)

var be = binary.BigEndian

// headerSize is how much of the file detect reads: the headers it
// recognises and a text vmdk descriptor's first lines.
const headerSize = 4096

// detect finds the image format from the file's own header, as
// qemu-img's probes would, and vets the header of the formats it reads.
// Anything it does not recognise is raw.
func detect(r io.ReaderAt, size int64) (string, error) {
	h := make([]byte, min(size, headerSize))
	if n, err := r.ReadAt(h, 0); n != len(h) {
		return "", fmt.Errorf("read header: %w", err)
	}
	has := func(off int, magic string) bool {
		return len(h) >= off+len(magic) && string(h[off:off+len(magic)]) == magic
	}
	switch {
	case has(0, "QFI\xfb"):
		return Qcow2, vetQcow2(r, h, size)
	case has(0, "KDMV"):
		return VMDK, vetSparseVMDK(r, h, size)
	case has(0, "conectix"):
		return VHD, vetVHD(h)
	case isDescriptor(h):
		return "", refused("image is a vmdk descriptor that names other files (%s)", strings.Join(extentFiles(string(h)), ", "))
	}
	for _, f := range []struct {
		off          int
		magic, label string
	}{
		{0, "COWD", "vmdk version 3"}, {0, "vhdxfile", "vhdx"}, {0, "QED\x00", "qed"}, {0, "LUKS\xba\xbe", "luks"},
		{0x40, "\x7f\x10\xda\xbe", "vdi"}, {0, "WithoutFreeSpace", "parallels"}, {0, "WithouFreSpacExt", "parallels"},
	} {
		if has(f.off, f.magic) {
			return "", refused("image format %s is not read (raw, qcow2, vhd and vmdk are)", f.label)
		}
	}
	return Raw, nil
}

// maxName bounds a file name read from a header, as qemu does.
const maxName = 1023

// vetQcow2 refuses a qcow2 image that names a backing file or an
// external data file, is encrypted, or is not version 2 or 3.
func vetQcow2(r io.ReaderAt, h []byte, size int64) error {
	if len(h) < 104 {
		return errors.New("qcow2 header is cut short")
	}
	version, backing, backingLen := be.Uint32(h[4:]), be.Uint64(h[8:]), be.Uint32(h[16:])
	if version != 2 && version != 3 {
		return refused("qcow version %d is not read (2 and 3 are)", version)
	}
	if backing != 0 {
		if backingLen == 0 || backingLen > maxName || backing > uint64(size) || uint64(backingLen) > uint64(size)-backing {
			return fmt.Errorf("qcow2 header: backing file name of %d bytes at %d is not in the file", backingLen, backing)
		}
		return refused("image names a backing file (%s)", readName(r, int64(backing), int64(backingLen), size))
	}
	if be.Uint32(h[32:]) != 0 {
		return refused("image is encrypted")
	}
	extensions := int64(72)
	if version == 3 {
		if be.Uint64(h[72:])&(1<<2) != 0 {
			name, _ := qcow2DataFile(r, int64(be.Uint32(h[100:])), size)
			return refused("image names an external data file (%s)", name)
		}
		extensions = int64(be.Uint32(h[100:]))
	}
	if name, ok := qcow2DataFile(r, extensions, size); ok {
		return refused("image names an external data file (%s)", name)
	}
	return nil
}

// qcow2DataFile returns the external data file that a qcow2 header
// extension names, if one does. Extensions start at off; only the first
// 64 are looked at.
func qcow2DataFile(r io.ReaderAt, off, size int64) (string, bool) {
	for range 64 {
		var ext [8]byte
		if n, _ := r.ReadAt(ext[:], off); n != len(ext) || be.Uint32(ext[:]) == 0 {
			break
		}
		typ, n := be.Uint32(ext[:]), int64(be.Uint32(ext[4:]))
		if typ == 0x44415441 { // "DATA"
			return readName(r, off+8, min(n, maxName), size), true
		}
		if n > 1<<21 {
			break
		}
		off += 8 + (n+7)&^7
	}
	return "unnamed", false
}

// readName reads a file name of n bytes at off and makes it printable
// on one line.
func readName(r io.ReaderAt, off, n, size int64) string {
	if name := readText(r, off, n, size); name != "" {
		return printable(name)
	}
	return "unnamed"
}

// readText reads up to n bytes at off, as text ending at the first NUL.
func readText(r io.ReaderAt, off, n, size int64) string {
	if off < 0 || n <= 0 || off >= size {
		return ""
	}
	b := make([]byte, min(n, size-off))
	k, _ := r.ReadAt(b, off)
	text, _, _ := strings.Cut(string(b[:k]), "\x00")
	return text
}

// printable quotes s if it has characters that would break a one-line
// message.
func printable(s string) string {
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// vetSparseVMDK refuses a sparse vmdk whose descriptor qemu would follow
// to other files: a header of capacity 0 (the descriptor's extents make
// the disk) or a descriptor naming a parent.
func vetSparseVMDK(r io.ReaderAt, h []byte, size int64) error {
	if len(h) < 44 {
		return errors.New("vmdk header is cut short")
	}
	capacity, descOff, descLen := le64(h[12:]), le64(h[28:]), le64(h[36:])
	var desc string
	if descOff > 0 && descOff < uint64(size/512) {
		desc = readText(r, int64(descOff)*512, int64(min(descLen, 128)*512), size)
	}
	if capacity == 0 {
		return refused("image is a vmdk whose descriptor names other files (%s)", strings.Join(extentFiles(desc), ", "))
	}
	if parent := descriptorValue(desc, "parentFileNameHint"); parent != "" {
		return refused("image names a backing file (%s)", parent)
	}
	return nil
}

func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

// vetVHD refuses a differencing vhd: it names its parent disk.
func vetVHD(h []byte) error {
	if len(h) >= 0x40 && be.Uint32(h[0x3c:]) == 4 {
		return refused("image is a differencing vhd, which names a parent disk")
	}
	return nil
}

// isDescriptor says whether a file begins with a vmdk text descriptor,
// as qemu's vmdk probe would take it.
func isDescriptor(h []byte) bool {
	text := string(h[:min(len(h), 1024)])
	return bytes.HasPrefix(h, []byte("# Disk DescriptorFile")) || strings.Contains(text, "createType=")
}

// extentFiles lists the files a vmdk descriptor's extent lines name.
func extentFiles(desc string) []string {
	var out []string
	for _, line := range strings.Split(desc, "\n") {
		access, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		_, name, quoted := strings.Cut(line, `"`)
		name, _, _ = strings.Cut(name, `"`)
		if quoted && (access == "RW" || access == "RDONLY" || access == "NOACCESS") {
			out = append(out, printable(name))
		}
	}
	if len(out) == 0 {
		return []string{"no extent lines"}
	}
	return out
}

// descriptorValue returns the quoted value of key in a vmdk descriptor.
func descriptorValue(desc, key string) string {
	for _, line := range strings.Split(desc, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == key {
			return printable(strings.Trim(strings.TrimSpace(v), `"`))
		}
	}
	return ""
}
