package craft

import "path"

// Ext is an ext4 filesystem built by BuildExt: 1 KiB blocks, 128-byte
// inodes, one inode table, every file in one run of blocks described by
// an extent tree of depth 0, symlinks shorter than 60 bytes kept in the
// inode. Bitmaps and checksums are left empty: the reader does not use
// them.
type Ext struct {
	Bytes  []byte
	Inodes map[string]uint32 // inode numbers by path; the root is "."
}

// Ext layout.
const (
	ExtBlockSize = 1024
	ExtInodeSize = 128
	extTable     = 5 // first block of the inode table
)

// InodeOffset returns the byte offset of inode n in e.Bytes.
func (e *Ext) InodeOffset(n uint32) int64 {
	return extTable*ExtBlockSize + int64(n-1)*ExtInodeSize
}

// Block returns block n of e.Bytes.
func (e *Ext) Block(n uint64) []byte { return e.Bytes[n*ExtBlockSize : (n+1)*ExtBlockSize] }

// BuildExt builds an ext4 filesystem holding files, with extra free
// blocks at its end.
func BuildExt(files []File, extra int) *Ext {
	root := treeOf(files)
	e := &Ext{Inodes: map[string]uint32{".": 2}}
	var order []*node
	var paths []string
	var number func(n *node, p string)
	number = func(n *node, p string) {
		for _, name := range n.names() {
			k, kp := n.kids[name], path.Join(p, name)
			e.Inodes[kp] = uint32(12 + len(order))
			order, paths = append(order, k), append(paths, kp)
			number(k, kp)
		}
	}
	number(root, ".")
	count := (uint32(12+len(order)) + 7) &^ 7
	tableBlocks := (int(count)*ExtInodeSize + ExtBlockSize - 1) / ExtBlockSize
	e.Bytes = make([]byte, (extTable+tableBlocks)*ExtBlockSize)
	e.writeInode(2, root, e.dirData(root, ".", 2))
	for i, n := range order {
		num := e.Inodes[paths[i]]
		switch {
		case n.Dir || len(n.kids) > 0:
			e.writeInode(num, n, e.dirData(n, paths[i], e.Inodes[path.Dir(paths[i])]))
		case n.Link != "":
			e.writeInode(num, n, []byte(n.Link))
		default:
			e.writeInode(num, n, n.Data)
		}
	}
	e.Bytes = append(e.Bytes, make([]byte, extra*ExtBlockSize)...)
	blocks := uint32(len(e.Bytes) / ExtBlockSize)
	sb := e.Bytes[1024:2048]
	le.PutUint32(sb[0x0:], count)
	le.PutUint32(sb[0x4:], blocks)
	le.PutUint32(sb[0x14:], 1)    // first data block
	le.PutUint32(sb[0x20:], 8192) // blocks per group
	le.PutUint32(sb[0x28:], count)
	le.PutUint16(sb[0x38:], 0xef53)
	le.PutUint16(sb[0x3a:], 1)
	le.PutUint32(sb[0x4c:], 1) // dynamic revision: inode size below
	le.PutUint32(sb[0x54:], 11)
	le.PutUint16(sb[0x58:], ExtInodeSize)
	le.PutUint32(sb[0x60:], 0x2|0x40) // filetype, extents
	gd := e.Block(2)
	le.PutUint32(gd[0x0:], 3)
	le.PutUint32(gd[0x4:], 4)
	le.PutUint32(gd[0x8:], extTable)
	return e
}

// dirData returns the blocks of directory n (at path p, parent inode
// parent): ".", "..", then its entries in name order.
func (e *Ext) dirData(n *node, p string, parent uint32) []byte {
	var b []byte
	last := -1 // offset of the last entry, whose record is stretched
	put := func(ino uint32, name string, ftype byte) {
		rec := (8 + len(name) + 3) &^ 3
		if len(b)%ExtBlockSize+rec > ExtBlockSize {
			pad := ExtBlockSize - len(b)%ExtBlockSize
			le.PutUint16(b[last+4:], uint16(int(le.Uint16(b[last+4:]))+pad))
			b = append(b, make([]byte, pad)...)
		}
		last = len(b)
		ent := make([]byte, rec)
		le.PutUint32(ent, ino)
		le.PutUint16(ent[4:], uint16(rec))
		ent[6], ent[7] = byte(len(name)), ftype
		copy(ent[8:], name)
		b = append(b, ent...)
	}
	put(e.Inodes[p], ".", 2)
	put(parent, "..", 2)
	for _, name := range n.names() {
		k := n.kids[name]
		ftype := byte(1)
		if k.Dir || len(k.kids) > 0 {
			ftype = 2
		} else if k.Link != "" {
			ftype = 7
		}
		put(e.Inodes[path.Join(p, name)], name, ftype)
	}
	if pad := (ExtBlockSize - len(b)%ExtBlockSize) % ExtBlockSize; pad > 0 {
		le.PutUint16(b[last+4:], uint16(int(le.Uint16(b[last+4:]))+pad))
		b = append(b, make([]byte, pad)...)
	}
	return b
}

// writeInode writes inode num for n with content data, which is placed
// in new blocks at the end of the image (or in the inode for a short
// symlink).
func (e *Ext) writeInode(num uint32, n *node, data []byte) {
	in := e.Bytes[e.InodeOffset(num):][:ExtInodeSize]
	mode := uint16(0x81a4)
	switch {
	case n.Dir || len(n.kids) > 0:
		mode = 0x41ed
	case n.Link != "":
		mode = 0xa1ff
	}
	le.PutUint16(in[0x0:], mode)
	le.PutUint32(in[0x4:], uint32(len(data)))
	le.PutUint32(in[0x6c:], uint32(uint64(len(data))>>32))
	le.PutUint16(in[0x1a:], 1)
	if n.Link != "" && len(data) < 60 {
		copy(in[0x28:], data)
		return
	}
	start := uint64(len(e.Bytes) / ExtBlockSize)
	blocks := (uint64(len(data)) + ExtBlockSize - 1) / ExtBlockSize
	e.Bytes = append(e.Bytes, data...)
	e.Bytes = append(e.Bytes, make([]byte, blocks*ExtBlockSize-uint64(len(data)))...)
	in = e.Bytes[e.InodeOffset(num):][:ExtInodeSize] // the image moved
	le.PutUint32(in[0x20:], 0x80000)                 // extents
	var leaves [][]byte
	for l := uint64(0); l < blocks; l += 32768 {
		leaves = append(leaves, ExtentLeaf(uint32(l), uint16(min(blocks-l, 32768)), start+l))
	}
	if len(leaves) > 4 {
		panic("craft: file too large for an extent tree of depth 0")
	}
	copy(in[0x28:], ExtentHeader(len(leaves), 4, 0))
	for i, l := range leaves {
		copy(in[0x28+12+12*i:], l)
	}
}

// ExtentHeader returns an extent tree node header.
func ExtentHeader(entries, max, depth int) []byte {
	b := make([]byte, 12)
	le.PutUint16(b, 0xf30a)
	le.PutUint16(b[2:], uint16(entries))
	le.PutUint16(b[4:], uint16(max))
	le.PutUint16(b[6:], uint16(depth))
	return b
}

// ExtentIndex returns an index entry: the subtree in block child maps the
// file from block logical on.
func ExtentIndex(logical uint32, child uint64) []byte {
	b := make([]byte, 12)
	le.PutUint32(b, logical)
	le.PutUint32(b[4:], uint32(child))
	le.PutUint16(b[8:], uint16(child>>32))
	return b
}

// ExtentLeaf returns a leaf entry: n blocks of the file from logical on
// are at block start.
func ExtentLeaf(logical uint32, n uint16, start uint64) []byte {
	b := make([]byte, 12)
	le.PutUint32(b, logical)
	le.PutUint16(b[4:], n)
	le.PutUint16(b[6:], uint16(start>>32))
	le.PutUint32(b[8:], uint32(start))
	return b
}
