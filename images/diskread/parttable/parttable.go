// Package parttable reads the GPT or MBR partition table of a disk image.
// The image is someone else's input: every offset and count in the table
// is checked against the disk's size before it is used, so a table can
// neither make the reader allocate more than the disk could hold nor send
// it outside the disk.
package parttable

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Partition is one partition of a disk, or the whole disk when it holds a
// filesystem with no partition table (Number 0).
type Partition struct {
	Number int    // 1-based, as Linux numbers them; 0 for the whole disk
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

// Kinds of partition table Read returns.
const (
	GPT = "gpt"
	MBR = "mbr"
)

// SectorSize is the logical sector size the tables are read with.
const SectorSize = 512

// ErrTooSmall says a disk is too short to hold a partition table or a
// filesystem.
var ErrTooSmall = errors.New("not a disk image: too small to hold a partition table or filesystem")

var le = binary.LittleEndian

// Read reads the partition table of a disk of size bytes. It returns the
// table's kind (GPT or MBR) and its partitions, or kind "" and no
// partitions when the disk has no table (a bare filesystem; an MBR whose
// entries do not fit the disk is taken for a filesystem's boot sector). A
// GPT that does not fit the disk is an error.
func Read(r io.ReaderAt, size int64) (kind string, parts []Partition, err error) {
	if size < 2*SectorSize {
		return "", nil, ErrTooSmall
	}
	head := make([]byte, 2*SectorSize)
	if err := readFull(r, head, 0); err != nil {
		return "", nil, fmt.Errorf("read partition table: %w", err)
	}
	if head[510] != 0x55 || head[511] != 0xaa {
		return "", nil, nil
	}
	if bytes.Equal(head[SectorSize:SectorSize+8], []byte("EFI PART")) {
		parts, err := readGPT(r, head[SectorSize:], size)
		if err != nil {
			return "", nil, err
		}
		return GPT, parts, nil
	}
	parts, err = readMBR(r, head, size)
	if err != nil || len(parts) == 0 {
		return "", nil, err
	}
	return MBR, parts, nil
}

// readFull reads exactly len(p) bytes at off.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("read %d bytes at %d: %w", len(p), off, err)
}
