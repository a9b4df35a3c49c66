package parttable

import (
	"fmt"
	"io"
)

// maxLogical bounds the chain of extended boot records.
const maxLogical = 128

// readMBR reads the four primary entries of an MBR and the logical
// partitions of an extended one. Entries that do not fit the disk make
// the table invalid (a FAT boot sector also ends in 55 AA): it returns no
// partitions and no error.
func readMBR(r io.ReaderAt, mbr []byte, size int64) ([]Partition, error) {
	var parts []Partition
	for i := range 4 {
		e := mbr[0x1be+16*i:]
		typ, start, n := e[4], int64(le.Uint32(e[8:]))*SectorSize, int64(le.Uint32(e[12:]))*SectorSize
		if typ == 0 || n == 0 {
			continue
		}
		if e[0]&0x7f != 0 || start == 0 || start+n > size {
			return nil, nil
		}
		if typ == 0x05 || typ == 0x0f || typ == 0x85 {
			logical, err := readEBR(r, start, start+n)
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

// readEBR follows the chain of extended boot records of the extended
// partition [base, end); logical partitions are numbered from 5. A chain
// that leaves the extended partition, comes back to a record it read, or
// is longer than maxLogical ends there.
func readEBR(r io.ReaderAt, base, end int64) ([]Partition, error) {
	var parts []Partition
	b := make([]byte, SectorSize)
	seen := map[int64]bool{}
	for at, n := base, 5; n < 5+maxLogical && !seen[at] && at+SectorSize <= end; n++ {
		seen[at] = true
		if err := readFull(r, b, at); err != nil {
			return nil, fmt.Errorf("read extended partition at %d: %w", at, err)
		}
		if b[510] != 0x55 || b[511] != 0xaa {
			break
		}
		e := b[0x1be:]
		if start, l := at+int64(le.Uint32(e[8:]))*SectorSize, int64(le.Uint32(e[12:]))*SectorSize; e[4] != 0 && l > 0 && start+l <= end {
			parts = append(parts, Partition{Number: n, Start: start, Size: l, Type: fmt.Sprintf("0x%02x", e[4])})
		}
		next := int64(le.Uint32(e[16+8:])) * SectorSize
		if e[16+4] == 0 || next == 0 {
			break
		}
		at = base + next
	}
	return parts, nil
}
