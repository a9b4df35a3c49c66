package parttable

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf16"
)

// GPT limits: the UEFI specification makes an entry 128 << n bytes; no
// tool makes entries larger than a sector or more than a few hundred.
const (
	maxGPTEntries   = 4096
	maxGPTEntrySize = 4096
)

// readGPT reads the primary GPT whose header is hdr.
func readGPT(r io.ReaderAt, hdr []byte, size int64) ([]Partition, error) {
	lba, count, esize := le.Uint64(hdr[0x48:]), le.Uint32(hdr[0x50:]), le.Uint32(hdr[0x54:])
	sectors := uint64(size / SectorSize)
	bad := func(why string) error {
		return fmt.Errorf("read gpt: bad header (%d entries of %d bytes at lba %d): %s", count, esize, lba, why)
	}
	switch {
	case esize < 128 || esize > maxGPTEntrySize || esize&(esize-1) != 0:
		return nil, bad("entry size is not 128, 256, ... 4096 bytes")
	case count > maxGPTEntries:
		return nil, bad(fmt.Sprintf("more than %d entries", maxGPTEntries))
	case lba < 2 || lba >= sectors || uint64(count)*uint64(esize) > (sectors-lba)*SectorSize:
		return nil, bad(fmt.Sprintf("entries do not fit the %d-sector disk", sectors))
	}
	table := make([]byte, int(count)*int(esize))
	if err := readFull(r, table, int64(lba)*SectorSize); err != nil {
		return nil, fmt.Errorf("read gpt entries: %w", err)
	}
	var parts []Partition
	for i := range int(count) {
		e := table[i*int(esize):]
		if bytes.Equal(e[:16], make([]byte, 16)) {
			continue
		}
		first, last := le.Uint64(e[0x20:]), le.Uint64(e[0x28:])
		if first < 1 || first > last || last >= sectors {
			return nil, fmt.Errorf("read gpt: partition %d (sectors %d to %d) does not fit the %d-sector disk", i+1, first, last, sectors)
		}
		name := make([]uint16, 36)
		for j := range name {
			name[j] = le.Uint16(e[0x38+2*j:])
		}
		parts = append(parts, Partition{Number: i + 1, Start: int64(first) * SectorSize, Size: int64(last-first+1) * SectorSize,
			Type: guid(e[:16]), Name: strings.TrimRight(string(utf16.Decode(name)), "\x00")})
	}
	return parts, nil
}

// guid formats a GPT GUID (mixed endian) in its usual text form.
func guid(b []byte) string {
	return fmt.Sprintf("%08X-%04X-%04X-%X-%X", le.Uint32(b), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8:10], b[10:16])
}
