package kernel

import (
	"fmt"
	"io"
	"sort"
)

// extent maps length blocks of a file, from block logical on, to
// filesystem block physical; unwritten extents read as zeros.
type extent struct {
	logical, physical, length uint64
	unwritten                 bool
}

// maxMapDepth bounds extent trees and indirect blocks, so a corrupt
// filesystem cannot loop.
const maxMapDepth = 5

// extents returns the block map of in, sorted by logical block.
func (f *extFS) extents(in *extInode) ([]extent, error) {
	if in.flags&(inodeInlineFlag|inodeEncryptFlag) != 0 {
		return nil, fmt.Errorf("inode %d: inline or encrypted data is not supported", in.num)
	}
	var out []extent
	var err error
	if in.flags&inodeExtentsFlag != 0 {
		out, err = f.extentNode(in.block[:], 0, nil)
	} else {
		blocks := (uint64(in.size) + uint64(f.blockSize) - 1) / uint64(f.blockSize)
		out, err = f.blockMap(in.block[:], blocks)
	}
	if err != nil {
		return nil, fmt.Errorf("inode %d: %w", in.num, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].logical < out[j].logical })
	return out, nil
}

// extentNode appends the extents below one extent tree node.
func (f *extFS) extentNode(b []byte, depth int, out []extent) ([]extent, error) {
	if len(b) < 12 || le.Uint16(b) != 0xf30a {
		return nil, fmt.Errorf("bad extent header")
	}
	entries, level := int(le.Uint16(b[2:])), le.Uint16(b[6:])
	if 12+12*entries > len(b) || depth > maxMapDepth {
		return nil, fmt.Errorf("bad extent node: %d entries, depth %d", entries, depth)
	}
	for i := range entries {
		e := b[12+12*i:]
		if level > 0 {
			leaf := uint64(le.Uint32(e[4:])) | uint64(le.Uint16(e[8:]))<<32
			child, err := f.readBlock(leaf)
			if err != nil {
				return nil, err
			}
			if out, err = f.extentNode(child, depth+1, out); err != nil {
				return nil, err
			}
			continue
		}
		x := extent{
			logical:  uint64(le.Uint32(e)),
			length:   uint64(le.Uint16(e[4:])),
			physical: uint64(le.Uint32(e[8:])) | uint64(le.Uint16(e[6:]))<<32,
		}
		if x.length > 32768 {
			x.length -= 32768
			x.unwritten = true
		}
		out = append(out, x)
	}
	return out, nil
}

// blockMap reads the direct and indirect block pointers of an ext2/3
// inode, for the first blocks blocks of the file.
func (f *extFS) blockMap(iblock []byte, blocks uint64) ([]extent, error) {
	m := &mapper{f: f, want: blocks}
	for i := 0; i < 12 && m.next < blocks; i++ {
		m.add(uint64(le.Uint32(iblock[4*i:])), 1)
	}
	for level := 1; level <= 3 && m.next < blocks; level++ {
		if err := m.indirect(uint64(le.Uint32(iblock[4*(11+level):])), level); err != nil {
			return nil, err
		}
	}
	return m.out, nil
}

// mapper turns block pointers into extents, merging adjacent ones.
type mapper struct {
	f          *extFS
	want, next uint64
	out        []extent
}

func (m *mapper) add(physical, span uint64) {
	if physical != 0 {
		if n := len(m.out); n > 0 && m.out[n-1].physical+m.out[n-1].length == physical &&
			m.out[n-1].logical+m.out[n-1].length == m.next {
			m.out[n-1].length++
		} else {
			m.out = append(m.out, extent{logical: m.next, physical: physical, length: 1})
		}
	}
	m.next += span
}

// indirect walks an indirect block of the given level (1 single, 2
// double, 3 triple); a zero pointer is a hole.
func (m *mapper) indirect(block uint64, level int) error {
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
		return err
	}
	for i := uint64(0); i < per && m.next < m.want; i++ {
		p := uint64(le.Uint32(b[4*i:]))
		if level == 1 {
			m.add(p, 1)
		} else if err := m.indirect(p, level-1); err != nil {
			return err
		}
	}
	return nil
}

// maxPiece bounds one read of file data, and so the memory it needs.
const maxPiece = 64 << 20

// writeFile writes the content of in to w, reading each extent in as few
// large reads as possible (which matters when reads go through qemu-img).
func (f *extFS) writeFile(w io.Writer, in *extInode) (int64, error) {
	xs, err := f.extents(in)
	if err != nil {
		return 0, err
	}
	var pos int64
	for _, x := range xs {
		start := int64(x.logical) * f.blockSize
		if start >= in.size {
			break
		}
		if err := writeZeros(w, start-pos); err != nil {
			return pos, err
		}
		pos = start
		n := min(int64(x.length)*f.blockSize, in.size-start)
		if x.unwritten {
			if err := writeZeros(w, n); err != nil {
				return pos, err
			}
			pos += n
			continue
		}
		for off := int64(0); off < n; {
			buf := make([]byte, min(n-off, maxPiece))
			if err := f.readAt(buf, int64(x.physical)*f.blockSize+off); err != nil {
				return pos, fmt.Errorf("inode %d: %w", in.num, err)
			}
			if _, err := w.Write(buf); err != nil {
				return pos, err
			}
			off += int64(len(buf))
			pos += int64(len(buf))
		}
	}
	return in.size, writeZeros(w, in.size-pos)
}

func writeZeros(w io.Writer, n int64) error {
	if n <= 0 {
		return nil
	}
	_, err := io.CopyN(w, zeroReader{}, n)
	return err
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// bytesBuffer collects small file contents (directories, symlinks).
type bytesBuffer struct{ b []byte }

func (w *bytesBuffer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// readAll returns the content of a small inode (a directory or symlink).
func (f *extFS) readAll(in *extInode) ([]byte, error) {
	if in.size > 64<<20 {
		return nil, fmt.Errorf("inode %d: %d bytes is too large for a directory or link", in.num, in.size)
	}
	var w bytesBuffer
	_, err := f.writeFile(&w, in)
	return w.b, err
}

// extDirent is one directory entry.
type extDirent struct {
	name  string
	inode uint32
	ftype uint8 // 1 file, 2 dir, 7 symlink; 0 unknown
}

// readDir lists a directory, scanning its blocks linearly: hashed-tree
// index blocks look like empty entries and are skipped.
func (f *extFS) readDir(in *extInode) ([]extDirent, error) {
	b, err := f.readAll(in)
	if err != nil {
		return nil, err
	}
	var out []extDirent
	for off := 0; off+8 <= len(b); {
		ino, recLen := le.Uint32(b[off:]), int(le.Uint16(b[off+4:]))
		nameLen, ftype := int(b[off+6]), b[off+7]
		if f.incompat&incompatFiletype == 0 {
			nameLen, ftype = int(le.Uint16(b[off+6:])), 0
		}
		if recLen < 8 || off+recLen > len(b) || 8+nameLen > recLen {
			return nil, fmt.Errorf("inode %d: corrupt directory entry at %d", in.num, off)
		}
		if name := string(b[off+8 : off+8+nameLen]); ino != 0 && name != "." && name != ".." {
			out = append(out, extDirent{name: name, inode: ino, ftype: ftype})
		}
		off += recLen
	}
	return out, nil
}

// readLink returns the target of a symlink inode.
func (f *extFS) readLink(in *extInode) (string, error) {
	if in.size < extInodeBlockSize {
		return string(in.block[:in.size]), nil
	}
	b, err := f.readAll(in)
	return string(b), err
}
