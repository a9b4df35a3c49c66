package craft

import (
	"fmt"
	"unicode/utf16"
)

// FAT is a FAT12 or FAT16 filesystem built by BuildFAT: 512-byte
// sectors and clusters, two FATs, a 64-entry root directory (16 files),
// every file in one run of clusters, every name as a long name beside a
// made-up short one.
type FAT struct {
	Bytes    []byte
	Bits     int              // 12 or 16
	Clusters map[string]int   // first cluster by path
	Entries  map[string]int64 // offset of each file's short entry
}

// FAT layout: a boot sector, two FATs, the root directory, the data.
const (
	FATSectorSize  = 512
	fatRootEntries = 64
)

// FATOffset returns the offset of the first FAT in f.Bytes.
func (f *FAT) FATOffset() int64 { return FATSectorSize }

// ClusterOffset returns the offset of data cluster c in f.Bytes.
func (f *FAT) ClusterOffset(c int) int64 {
	fatSectors := le.Uint16(f.Bytes[0x16:])
	return int64(1+2*int(fatSectors)+fatRootEntries*32/FATSectorSize+c-2) * FATSectorSize
}

// SetEntry sets the FAT entry of cluster c in both FATs.
func (f *FAT) SetEntry(c int, v uint32) {
	fatBytes := int64(le.Uint16(f.Bytes[0x16:])) * FATSectorSize
	for _, fat := range [][]byte{f.Bytes[FATSectorSize:], f.Bytes[FATSectorSize+fatBytes:]} {
		if f.Bits == 16 {
			le.PutUint16(fat[2*c:], uint16(v))
			continue
		}
		at, old := c+c/2, le.Uint16(fat[c+c/2:])
		if c%2 == 0 {
			le.PutUint16(fat[at:], old&0xf000|uint16(v)&0xfff)
		} else {
			le.PutUint16(fat[at:], old&0x000f|uint16(v)<<4)
		}
	}
}

// BuildFAT builds a FAT filesystem of the given type (12 or 16) with
// clusters data clusters holding files.
func BuildFAT(bits, clusters int, files []File) *FAT {
	if bits == 12 && clusters >= 4085 || bits == 16 && (clusters < 4085 || clusters >= 65525) {
		panic(fmt.Sprintf("craft: %d clusters make no FAT%d", clusters, bits))
	}
	fatSectors := ((clusters+2)*bits/8 + FATSectorSize) / FATSectorSize
	rootSectors := fatRootEntries * 32 / FATSectorSize
	total := 1 + 2*fatSectors + rootSectors + clusters
	f := &FAT{Bytes: make([]byte, total*FATSectorSize), Bits: bits, Clusters: map[string]int{}, Entries: map[string]int64{}}
	b := f.Bytes
	copy(b, []byte{0xeb, 0x3c, 0x90})
	copy(b[3:], "CRAFT   ")
	le.PutUint16(b[0xb:], FATSectorSize)
	b[0xd], b[0x10], b[0x15] = 1, 2, 0xf8
	le.PutUint16(b[0xe:], 1)
	le.PutUint16(b[0x11:], fatRootEntries)
	if total < 0x10000 {
		le.PutUint16(b[0x13:], uint16(total))
	} else {
		le.PutUint32(b[0x20:], uint32(total))
	}
	le.PutUint16(b[0x16:], uint16(fatSectors))
	b[510], b[511] = 0x55, 0xaa
	eoc := uint32(1)<<bits - 1
	f.SetEntry(0, eoc-7)
	f.SetEntry(1, eoc)
	next := 2
	var write func(n *node, p string, dirOff int64)
	write = func(n *node, p string, dirOff int64) {
		if p == "" && len(n.kids)*4 > fatRootEntries {
			panic("craft: more than 16 files in a FAT root directory")
		}
		for i, name := range n.names() {
			k, kp := n.kids[name], p+"/"+name
			if p == "" {
				kp = name
			}
			data, attr := k.Data, byte(0x20)
			if k.Dir || len(k.kids) > 0 {
				data, attr = make([]byte, FATSectorSize*max(1, (len(k.kids)*128+FATSectorSize-1)/FATSectorSize)), 0x10
			}
			first, n := 0, (len(data)+FATSectorSize-1)/FATSectorSize
			if n > 0 {
				first = next
				for c := first; c < first+n; c++ {
					f.SetEntry(c, uint32(c+1))
				}
				f.SetEntry(first+n-1, eoc)
				copy(b[f.ClusterOffset(first):], data)
				next += n
			}
			size := uint32(len(data))
			if attr == 0x10 {
				size = 0
			}
			f.Clusters[kp] = first
			f.Entries[kp] = dirOff + int64(i)*128 + 96
			putEntry(b[dirOff+int64(i)*128:], name, fmt.Sprintf("F%07d", next*100+i), attr, first, size)
			if attr == 0x10 {
				write(k, kp, f.ClusterOffset(first))
			}
		}
	}
	write(treeOf(files), "", int64(1+2*fatSectors)*FATSectorSize)
	return f
}

// putEntry writes three long name entries (names up to 38 characters)
// and the short entry they belong to.
func putEntry(b []byte, name, short string, attr byte, first int, size uint32) {
	u := utf16.Encode([]rune(name))
	if len(u) > 38 {
		panic("craft: FAT name longer than 38 characters: " + name)
	}
	u = append(u, 0)
	for len(u) < 39 {
		u = append(u, 0xffff)
	}
	s := b[96:128]
	copy(s, fmt.Sprintf("%-11s", short))
	sum := byte(0)
	for _, c := range s[:11] {
		sum = (sum&1)<<7 + sum>>1 + c
	}
	for part := range 3 {
		e := b[32*part : 32*part+32]
		seq := byte(3 - part)
		if part == 0 {
			seq |= 0x40
		}
		e[0], e[11], e[13] = seq, 0x0f, sum
		chars := u[13*(2-part) : 13*(3-part)]
		for i, at := range [13]int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
			le.PutUint16(e[at:], chars[i])
		}
	}
	s[11] = attr
	le.PutUint16(s[20:], uint16(first>>16))
	le.PutUint16(s[26:], uint16(first))
	le.PutUint32(s[28:], size)
	le.PutUint16(s[24:], 0x5a21) // 2025-01-01
}
