package extfs

import (
	"fmt"
	"io"
	"sort"
)

// maxPiece bounds one read of file data, and so the memory it needs.
const maxPiece = 64 << 20

// blocksFor returns how many blocks hold size bytes.
func (f *FS) blocksFor(size int64) uint64 {
	return (uint64(size) + uint64(f.blockSize) - 1) / uint64(f.blockSize)
}

// writeFile writes the content of in to w: exactly in.size bytes, holes
// and unwritten extents as zeros. Each extent is read in as few large
// reads as possible (which matters when reads go through qemu-img).
func (f *FS) writeFile(w io.Writer, in *inode) (int64, error) {
	xs, err := f.extents(in, f.blocksFor(in.size))
	if err != nil {
		return 0, err
	}
	var pos int64
	for _, x := range xs {
		start := int64(x.logical) * f.blockSize
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

// readFileAt reads len(p) bytes of in's content at off, or as much as
// there is; xs are in's extents.
func (f *FS) readFileAt(in *inode, xs []extent, p []byte, off int64) (int, error) {
	if off >= in.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), in.size-off))
	clear(p[:n])
	i := sort.Search(len(xs), func(i int) bool { return int64(xs[i].logical+xs[i].length)*f.blockSize > off })
	for _, x := range xs[i:] {
		start, end := int64(x.logical)*f.blockSize, int64(x.logical+x.length)*f.blockSize
		lo, hi := max(start, off), min(end, off+int64(n))
		if lo >= hi {
			break
		}
		if x.unwritten {
			continue
		}
		if err := f.readAt(p[lo-off:hi-off], int64(x.physical)*f.blockSize+lo-start); err != nil {
			return 0, fmt.Errorf("inode %d: %w", in.num, err)
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
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
