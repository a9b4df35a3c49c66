package extfs

import "fmt"

// extent maps length blocks of a file, from block logical on, to
// filesystem block physical; unwritten extents read as zeros.
type extent struct {
	logical, physical, length uint64
	unwritten                 bool
}

// maxTreeDepth is the deepest extent tree ext4 makes.
const maxTreeDepth = 5

// extents returns the block map of in for its first want blocks, sorted
// by logical block, with no two extents overlapping.
func (f *FS) extents(in *inode, want uint64) ([]extent, error) {
	if in.flags&(inodeInlineFlag|inodeEncryptFlag) != 0 {
		return nil, fmt.Errorf("inode %d: inline or encrypted data is not supported", in.num)
	}
	var out []extent
	var err error
	if in.flags&inodeExtentsFlag != 0 {
		w := &treeWalk{f: f, want: want, seen: map[uint64]bool{}}
		err = w.node(in.block[:], -1)
		out = w.out
	} else {
		m := &blockMapper{f: f, want: want}
		err = m.walk(in.block[:])
		out = m.out
	}
	if err != nil {
		return nil, fmt.Errorf("inode %d: %w", in.num, err)
	}
	return out, nil
}

// treeWalk collects the extents of an extent tree. It visits each tree
// block at most once and requires entries in ascending logical order, so
// the work it does is bounded by the filesystem's blocks and the file's
// wanted length, whatever the tree's pointers say.
type treeWalk struct {
	f    *FS
	want uint64 // blocks of the file wanted
	next uint64 // first logical block no extent maps yet
	seen map[uint64]bool
	out  []extent
}

// node appends the extents below one tree node; depth is the depth its
// parent says it has, or -1 for the root in the inode.
func (w *treeWalk) node(b []byte, depth int) error {
	if len(b) < 12 || le.Uint16(b) != 0xf30a {
		return fmt.Errorf("bad extent header")
	}
	entries, max, level := int(le.Uint16(b[2:])), int(le.Uint16(b[4:])), int(le.Uint16(b[6:]))
	if entries > max || 12+12*max > len(b) || level > maxTreeDepth || depth >= 0 && level != depth {
		return fmt.Errorf("bad extent node: %d of %d entries, depth %d where %d was expected", entries, max, level, depth)
	}
	prev := int64(-1)
	for i := range entries {
		e := b[12+12*i:]
		start := uint64(le.Uint32(e))
		if int64(start) <= prev || start < w.next {
			return fmt.Errorf("extent tree entries out of order at logical block %d", start)
		}
		prev = int64(start)
		if start >= w.want {
			break
		}
		if level > 0 {
			if err := w.child(uint64(le.Uint32(e[4:]))|uint64(le.Uint16(e[8:]))<<32, level-1); err != nil {
				return err
			}
			continue
		}
		x := extent{logical: start, length: uint64(le.Uint16(e[4:])),
			physical: uint64(le.Uint32(e[8:])) | uint64(le.Uint16(e[6:]))<<32}
		if x.length > 32768 {
			x.length -= 32768
			x.unwritten = true
		}
		if x.length == 0 || x.physical >= w.f.blocks || x.length > w.f.blocks-x.physical {
			return fmt.Errorf("extent of %d blocks at block %d is outside the filesystem's %d blocks", x.length, x.physical, w.f.blocks)
		}
		w.out = append(w.out, x)
		w.next = start + x.length
	}
	return nil
}

// child reads and walks the tree block n, once.
func (w *treeWalk) child(n uint64, depth int) error {
	if w.seen[n] {
		return fmt.Errorf("extent tree block %d is reached twice", n)
	}
	w.seen[n] = true
	b, err := w.f.readBlock(n)
	if err != nil {
		return fmt.Errorf("read extent tree: %w", err)
	}
	return w.node(b, depth)
}

// blockMapper reads the direct and indirect block pointers of an ext2/3
// inode, merging adjacent blocks into extents. It stops when want blocks
// are mapped, so its work is bounded by the file's wanted length.
type blockMapper struct {
	f          *FS
	want, next uint64
	out        []extent
}

// walk maps the twelve direct blocks, then the single, double and triple
// indirect ones.
func (m *blockMapper) walk(iblock []byte) error {
	for i := 0; i < 12 && m.next < m.want; i++ {
		if err := m.add(uint64(le.Uint32(iblock[4*i:]))); err != nil {
			return err
		}
	}
	for level := 1; level <= 3 && m.next < m.want; level++ {
		if err := m.indirect(uint64(le.Uint32(iblock[4*(11+level):])), level); err != nil {
			return err
		}
	}
	return nil
}

// add maps the next logical block to physical; zero is a hole.
func (m *blockMapper) add(physical uint64) error {
	if physical >= m.f.blocks {
		return fmt.Errorf("block pointer %d is past the filesystem's %d blocks", physical, m.f.blocks)
	}
	if physical != 0 {
		if n := len(m.out); n > 0 && m.out[n-1].physical+m.out[n-1].length == physical &&
			m.out[n-1].logical+m.out[n-1].length == m.next {
			m.out[n-1].length++
		} else {
			m.out = append(m.out, extent{logical: m.next, physical: physical, length: 1})
		}
	}
	m.next++
	return nil
}

// indirect walks an indirect block of the given level (1 single, 2
// double, 3 triple); a zero pointer is a hole.
func (m *blockMapper) indirect(block uint64, level int) error {
	per := uint64(m.f.blockSize / 4)
	span := uint64(1)
	for range level {
		span *= per
	}
	if block == 0 {
		m.next += span
		return nil
	}
	b, err := m.f.readBlock(block)
	if err != nil {
		return fmt.Errorf("read indirect block: %w", err)
	}
	for i := uint64(0); i < per && m.next < m.want; i++ {
		p := uint64(le.Uint32(b[4*i:]))
		var err error
		if level == 1 {
			err = m.add(p)
		} else {
			err = m.indirect(p, level-1)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
