// Package craft builds small, well-formed disk images in memory: ext4
// and FAT filesystems and GPT and MBR partition tables. Tests and fuzz
// targets of the disk reader use them as seeds, and corrupt them to make
// the hostile images the reader must survive. Nothing here is used to
// build real images.
package craft

import (
	"encoding/binary"
	"hash/crc32"
	"path"
	"sort"
	"unicode/utf16"
)

var le = binary.LittleEndian

// File is one entry of a filesystem to build. Parent directories are
// made as needed.
type File struct {
	Path string // slash-separated, relative: "boot/vmlinuz-6.1.0"
	Data []byte // content of a regular file
	Link string // target of a symlink, when not ""
	Dir  bool   // an empty directory
}

// Part is one partition: its content, written at sector Start.
type Part struct {
	Start uint64 // first sector
	Data  []byte // padded to whole sectors
	Type  byte   // MBR type (0x83 when 0)
}

// GPT returns a disk of size bytes with a protective MBR, a primary GPT
// of 128 entries and the partitions, each of the sectors its data needs.
func GPT(size int64, parts ...Part) []byte {
	disk := make([]byte, size)
	protective(disk)
	entries := disk[2*512 : 2*512+128*128]
	for i, p := range parts {
		e := entries[128*i:]
		le.PutUint32(e[0:], 0x0fc63daf) // Linux filesystem data
		le.PutUint16(e[4:], 0x8483)
		le.PutUint16(e[6:], 0x4772)
		copy(e[8:16], []byte{0x8e, 0x79, 0x3d, 0x69, 0xd8, 0x47, 0x7d, 0xe4})
		e[16], e[17] = byte(i+1), 0xaa // a unique partition GUID
		le.PutUint64(e[0x20:], p.Start)
		le.PutUint64(e[0x28:], p.Start+sectors(p.Data)-1)
		for j, c := range utf16.Encode([]rune("p" + string(rune('1'+i)))) {
			le.PutUint16(e[0x38+2*j:], c)
		}
		copy(disk[p.Start*512:], p.Data)
	}
	h := disk[512:1024]
	copy(h, "EFI PART")
	le.PutUint32(h[8:], 0x00010000)
	le.PutUint32(h[12:], 92)
	le.PutUint64(h[0x18:], 1)
	le.PutUint64(h[0x20:], uint64(size/512-1))
	le.PutUint64(h[0x28:], 34)
	le.PutUint64(h[0x30:], uint64(size/512-34))
	le.PutUint64(h[0x48:], 2)
	le.PutUint32(h[0x50:], 128)
	le.PutUint32(h[0x54:], 128)
	le.PutUint32(h[0x58:], crc32.ChecksumIEEE(entries))
	le.PutUint32(h[0x10:], crc32.ChecksumIEEE(h[:92]))
	return disk
}

// protective writes a protective MBR covering the disk.
func protective(disk []byte) {
	e := disk[0x1be:]
	e[4] = 0xee
	le.PutUint32(e[8:], 1)
	le.PutUint32(e[12:], uint32(min(int64(len(disk))/512-1, 0xffffffff)))
	disk[510], disk[511] = 0x55, 0xaa
}

// MBR returns a disk of size bytes with an MBR of up to four primary
// partitions.
func MBR(size int64, parts ...Part) []byte {
	disk := make([]byte, size)
	for i, p := range parts {
		e := disk[0x1be+16*i:]
		e[4] = p.Type
		if e[4] == 0 {
			e[4] = 0x83
		}
		le.PutUint32(e[8:], uint32(p.Start))
		le.PutUint32(e[12:], uint32(sectors(p.Data)))
		copy(disk[p.Start*512:], p.Data)
	}
	disk[510], disk[511] = 0x55, 0xaa
	return disk
}

func sectors(b []byte) uint64 { return (uint64(len(b)) + 511) / 512 }

// node is a file of the tree being built, with its children by name.
type node struct {
	File
	kids map[string]*node
}

// treeOf arranges files as a tree under a root directory, parents made
// as needed.
func treeOf(files []File) *node {
	root := &node{File: File{Dir: true}, kids: map[string]*node{}}
	for _, f := range files {
		dir := root
		for _, elem := range splitDir(path.Dir(f.Path)) {
			if dir.kids[elem] == nil {
				dir.kids[elem] = &node{File: File{Path: elem, Dir: true}, kids: map[string]*node{}}
			}
			dir = dir.kids[elem]
		}
		n := &node{File: f, kids: map[string]*node{}}
		if old := dir.kids[path.Base(f.Path)]; old != nil && f.Dir {
			n.kids = old.kids
		}
		dir.kids[path.Base(f.Path)] = n
	}
	return root
}

func splitDir(d string) []string {
	if d == "." || d == "" {
		return nil
	}
	var out []string
	for d != "." {
		out = append([]string{path.Base(d)}, out...)
		d = path.Dir(d)
	}
	return out
}

// names returns a node's children names, sorted.
func (n *node) names() []string {
	out := make([]string, 0, len(n.kids))
	for k := range n.kids {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
