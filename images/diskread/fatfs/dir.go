package fatfs

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// MaxDirSize bounds a directory: FAT allows 65,536 entries of 32 bytes.
const MaxDirSize = 65536 * 32

// maxCachedDirs bounds the directories kept parsed.
const maxCachedDirs = 16

// dirent is one directory entry.
type dirent struct {
	name       string
	dir        bool
	first      uint32 // first cluster; 0 for an empty file or the root
	size       uint32
	date, time uint16
	readOnly   bool
}

// dir is a parsed directory: its entries in on-disk order, and by name
// folded to lower case.
type dir struct {
	ents   []dirent
	byName map[string]int
}

// dirCache keeps the last directories parsed, by first cluster.
type dirCache struct {
	m     map[uint32]*dir
	order []uint32
}

// readDir reads and parses the directory starting at cluster first; 0
// is the root.
func (f *FS) readDir(first uint32) (*dir, error) {
	if f.bits == 32 && first == 0 {
		first = f.rootCluster
	}
	if d := f.dirs.m[first]; d != nil {
		return d, nil
	}
	b, err := f.dirBytes(first)
	if err != nil {
		return nil, err
	}
	d := parseDir(b, f.bits)
	if f.dirs.m == nil {
		f.dirs.m = map[uint32]*dir{}
	}
	if len(f.dirs.order) == maxCachedDirs {
		delete(f.dirs.m, f.dirs.order[0])
		f.dirs.order = f.dirs.order[1:]
	}
	f.dirs.m[first] = d
	f.dirs.order = append(f.dirs.order, first)
	return d, nil
}

// dirBytes reads the directory starting at cluster first, or the fixed
// root directory of FAT12/16 for 0.
func (f *FS) dirBytes(first uint32) ([]byte, error) {
	if first == 0 {
		b := make([]byte, min(f.rootSize, MaxDirSize))
		return b, f.readFull(b, f.rootStart)
	}
	var b []byte
	var err error
	walkErr := f.chain(first, func(c uint32) bool {
		if len(b) >= MaxDirSize {
			err = fmt.Errorf("directory at cluster %d is larger than %d bytes", first, MaxDirSize)
			return false
		}
		b = append(b, make([]byte, f.clusterSize)...)
		err = f.readFull(b[len(b)-int(f.clusterSize):], f.clusterOffset(c))
		return err == nil
	})
	if walkErr != nil {
		return nil, fmt.Errorf("read directory: %w", walkErr)
	}
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	return b, nil
}

// parseDir parses directory entries, long names included.
func parseDir(b []byte, bits int) *dir {
	d := &dir{byName: map[string]int{}}
	var long longName
	for off := 0; off+32 <= len(b); off += 32 {
		e := b[off : off+32]
		attr := e[11]
		switch {
		case e[0] == 0:
			return d
		case e[0] == 0xe5:
			long.reset()
			continue
		case attr&0x3f == 0x0f:
			long.add(e)
			continue
		case attr&0x08 != 0: // volume label
			long.reset()
			continue
		}
		name := long.name(checksum(e[:11]))
		long.reset()
		if name == "" {
			name = shortName(e)
		}
		key := strings.ToLower(name)
		if _, dup := d.byName[key]; dup || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
			continue
		}
		ent := dirent{name: name, dir: attr&0x10 != 0, first: uint32(le.Uint16(e[26:])), size: le.Uint32(e[28:]),
			time: le.Uint16(e[22:]), date: le.Uint16(e[24:]), readOnly: attr&0x01 != 0}
		if bits == 32 {
			ent.first |= uint32(le.Uint16(e[20:])) << 16
		}
		d.byName[key] = len(d.ents)
		d.ents = append(d.ents, ent)
	}
	return d
}

// shortName returns an 8.3 name as stored, lower-cased where the entry's
// case flags (set by Windows and mtools) say so.
func shortName(e []byte) string {
	base, ext := strings.TrimRight(latin1(e[:8]), " "), strings.TrimRight(latin1(e[8:11]), " ")
	if e[0] == 0x05 {
		base = "\u00e5" + base[1:]
	}
	if e[12]&0x08 != 0 {
		base = strings.ToLower(base)
	}
	if e[12]&0x10 != 0 {
		ext = strings.ToLower(ext)
	}
	if ext == "" {
		return base
	}
	return base + "." + ext
}

func latin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// checksum is the short-name checksum long name entries carry.
func checksum(short []byte) byte {
	var sum byte
	for _, c := range short {
		sum = (sum&1)<<7 + sum>>1 + c
	}
	return sum
}

// longName gathers the long name entries that precede a short entry:
// they come last part first, numbered down to 1.
type longName struct {
	parts [20][13]uint16
	n     int  // parts announced by the first entry; 0 when none
	next  int  // number of the part expected next
	sum   byte // checksum of the short entry they belong to
}

func (l *longName) reset() { l.n, l.next = 0, 0 }

// add takes one long name entry.
func (l *longName) add(e []byte) {
	seq := int(e[0] & 0x1f)
	if e[0]&0x40 != 0 {
		l.n, l.next, l.sum = seq, seq, e[13]
	}
	if seq == 0 || seq > len(l.parts) || seq != l.next || e[13] != l.sum {
		l.reset()
		return
	}
	p := &l.parts[seq-1]
	for i, at := range [13]int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
		p[i] = le.Uint16(e[at:])
	}
	l.next--
}

// name returns the long name if it is whole and belongs to the short
// entry with checksum sum, or "".
func (l *longName) name(sum byte) string {
	if l.n == 0 || l.next != 0 || l.sum != sum {
		return ""
	}
	var u []uint16
	for _, p := range l.parts[:l.n] {
		for _, c := range p {
			if c == 0 {
				return string(utf16.Decode(u))
			}
			u = append(u, c)
		}
	}
	return string(utf16.Decode(u))
}
