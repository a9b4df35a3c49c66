package kernel

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// Partition is one partition of an image, or the whole image when it holds
// a filesystem with no partition table (Number 0).
type Partition struct {
	Number int    // 1-based, as Linux numbers them; 0 for a bare filesystem
	Start  int64  // offset in bytes
	Size   int64  // length in bytes
	Type   string // GPT type GUID or MBR type ("0x83")
	Name   string // GPT partition name
}

// String names the partition as error messages do: "partition 2".
func (p Partition) String() string {
	if p.Number == 0 {
		return "whole image"
	}
	return fmt.Sprintf("partition %d", p.Number)
}

const sector = 512

// errTooSmall says a file is too short to hold a partition table or a
// filesystem.
var errTooSmall = errors.New("not a disk image: too small to hold a partition table or filesystem")

// readTable reads a GPT or MBR partition table from the first sectors of
// d. It returns ok false when there is none.
func readTable(d io.ReaderAt, size int64) (kind string, parts []Partition, ok bool, err error) {
	if size < 2*sector {
		return "", nil, false, errTooSmall
	}
	head := make([]byte, 2*sector)
	if _, err := d.ReadAt(head, 0); err != nil {
		return "", nil, false, fmt.Errorf("read partition table: %w", err)
	}
	if head[510] != 0x55 || head[511] != 0xaa {
		return "", nil, false, nil
	}
	if bytes.Equal(head[sector:sector+8], []byte("EFI PART")) {
		parts, err := readGPT(d, head[sector:], size)
		return "gpt", parts, err == nil, err
	}
	parts, err = readMBR(d, head, size)
	if err != nil || len(parts) == 0 {
		return "", nil, false, nil
	}
	return "mbr", parts, true, nil
}

// readGPT reads the primary GPT whose header is hdr.
func readGPT(d io.ReaderAt, hdr []byte, size int64) ([]Partition, error) {
	lba, count, esize := le.Uint64(hdr[0x48:]), le.Uint32(hdr[0x50:]), le.Uint32(hdr[0x54:])
	if esize < 128 || count > 4096 || int64(lba)*sector >= size {
		return nil, fmt.Errorf("read gpt: bad header (%d entries of %d bytes at lba %d)", count, esize, lba)
	}
	table := make([]byte, int(count)*int(esize))
	if _, err := d.ReadAt(table, int64(lba)*sector); err != nil {
		return nil, fmt.Errorf("read gpt entries: %w", err)
	}
	var parts []Partition
	for i := range int(count) {
		e := table[i*int(esize):]
		if bytes.Equal(e[:16], make([]byte, 16)) {
			continue
		}
		first, last := int64(le.Uint64(e[0x20:])), int64(le.Uint64(e[0x28:]))
		name := make([]uint16, 36)
		for j := range name {
			name[j] = le.Uint16(e[0x38+2*j:])
		}
		parts = append(parts, Partition{Number: i + 1, Start: first * sector, Size: (last - first + 1) * sector,
			Type: guid(e[:16]), Name: strings.TrimRight(string(utf16.Decode(name)), "\x00")})
	}
	return parts, nil
}

// guid formats a GPT GUID (mixed endian) in its usual text form.
func guid(b []byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8:10], b[10:16])
}

// readMBR reads the four primary entries of an MBR and the logical
// partitions of an extended one. Entries that do not fit the disk make
// the table invalid (a FAT boot sector also ends in 55 AA).
func readMBR(d io.ReaderAt, mbr []byte, size int64) ([]Partition, error) {
	var parts []Partition
	for i := range 4 {
		e := mbr[0x1be+16*i:]
		typ, start, n := e[4], int64(le.Uint32(e[8:]))*sector, int64(le.Uint32(e[12:]))*sector
		if typ == 0 || n == 0 {
			continue
		}
		if e[0]&0x7f != 0 || start == 0 || start+n > size {
			return nil, nil
		}
		if typ == 0x05 || typ == 0x0f || typ == 0x85 {
			logical, err := readEBR(d, start, size)
			if err != nil {
				return nil, err
			}
			parts = append(parts, logical...)
			continue
		}
		parts = append(parts, Partition{Number: i + 1, Start: start, Size: n, Type: fmt.Sprintf("0x%02x", typ)})
	}
	return parts, nil
}

// readEBR follows the chain of extended boot records from base; logical
// partitions are numbered from 5.
func readEBR(d io.ReaderAt, base, size int64) ([]Partition, error) {
	var parts []Partition
	b := make([]byte, sector)
	for at, n := base, 5; n < 5+128; n++ {
		if _, err := d.ReadAt(b, at); err != nil {
			return nil, fmt.Errorf("read extended partition at %d: %w", at, err)
		}
		if b[510] != 0x55 || b[511] != 0xaa {
			break
		}
		e := b[0x1be:]
		if start, l := at+int64(le.Uint32(e[8:]))*sector, int64(le.Uint32(e[12:]))*sector; e[4] != 0 && l > 0 && start+l <= size {
			parts = append(parts, Partition{Number: n, Start: start, Size: l, Type: fmt.Sprintf("0x%02x", e[4])})
		}
		next := int64(le.Uint32(e[16+8:])) * sector
		if e[16+4] == 0 || next == 0 {
			break
		}
		at = base + next
	}
	return parts, nil
}
