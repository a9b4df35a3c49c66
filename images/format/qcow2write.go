package format

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
)

// mergeParts writes the qcow2 of size bytes whose clusters are the parts'
// (each partSize of the disk, in order) at dst.
func mergeParts(parts []string, size int64, dst string) error {
	files := make([]*os.File, len(parts))
	var spans []*span
	var from []int // the part of each span
	for i, p := range parts {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("qcow2 part: %w", err)
		}
		defer f.Close()
		files[i] = f
		ps, err := readPart(f)
		if err != nil {
			return err
		}
		want := (min(partSize, size-int64(i)*partSize) + qcowCluster - 1) / qcowCluster
		if int64(len(ps)) != want {
			return fmt.Errorf("qcow2 part %s: %d clusters where %d were converted", p, len(ps), want)
		}
		for _, s := range ps {
			spans = append(spans, s)
			from = append(from, i)
		}
	}
	l := layoutOf(spans, size)
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("write qcow2 %s: %w", dst, err)
	}
	werr := l.write(out, spans, func(c int, w io.Writer) error {
		s := spans[c]
		_, err := io.Copy(w, io.NewSectionReader(files[from[c]], s.off, s.n))
		return err
	})
	if cerr := out.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("write qcow2 %s: %w", dst, werr)
	}
	return nil
}

// layout is where everything of the merged qcow2 goes.
type layout struct {
	size              int64
	rtOff             int64 // the refcount table, one cluster
	l1Off, l1Entries  int64 // the L1 table
	l1Clusters        int64
	l2Off             []int64 // by L2 table; 0 when it maps no cluster
	hostOf            []int64 // host offset of each guest cluster's data
	compOff           int64   // the compressed data, packed after the uncompressed clusters
	refOff, refBlocks int64   // the refcount blocks, after the data
	end               int64
	refcounts         []uint16
}

// layoutOf places the header, refcount table, L1 and L2 tables, data and
// refcount blocks of a qcow2 of size bytes holding spans, and counts the
// references to every cluster: one for each table, block and uncompressed
// cluster, and one from each compressed cluster whose bytes lie in it.
func layoutOf(spans []*span, size int64) *layout {
	l := &layout{size: size, rtOff: qcowCluster, hostOf: make([]int64, len(spans))}
	l.l1Entries = (int64(len(spans)) + qcowL2Entries - 1) / qcowL2Entries
	l.l1Off = l.rtOff + qcowCluster
	l.l1Clusters = max(1, (l.l1Entries*8+qcowCluster-1)/qcowCluster)
	next := l.l1Off + l.l1Clusters*qcowCluster
	l.l2Off = make([]int64, l.l1Entries)
	for i := range l.l2Off {
		for _, s := range spans[i*qcowL2Entries : min(len(spans), (i+1)*qcowL2Entries)] {
			if s != nil {
				l.l2Off[i], next = next, next+qcowCluster
				break
			}
		}
	}
	for c, s := range spans {
		if s != nil && !s.compressed {
			l.hostOf[c], next = next, next+qcowCluster
		}
	}
	l.compOff = next
	for c, s := range spans {
		if s != nil && s.compressed {
			l.hostOf[c], next = next, next+s.n
		}
	}
	l.refOff = (next + qcowCluster - 1) &^ (qcowCluster - 1)
	l.refBlocks = 1
	for l.refOff/qcowCluster+l.refBlocks > l.refBlocks*qcowRefEntries {
		l.refBlocks++
	}
	l.end = l.refOff + l.refBlocks*qcowCluster
	l.refcounts = make([]uint16, l.end/qcowCluster)
	for c := range l.compOff / qcowCluster {
		l.refcounts[c] = 1 // header, tables, uncompressed clusters: all contiguous
	}
	for c, s := range spans {
		if s != nil && s.compressed {
			for h := l.hostOf[c] / qcowCluster; h <= (l.hostOf[c]+s.n-1)/qcowCluster; h++ {
				l.refcounts[h]++
			}
		}
	}
	for c := l.refOff / qcowCluster; c < l.end/qcowCluster; c++ {
		l.refcounts[c] = 1
	}
	return l
}

// write writes the qcow2 of l to w, data(c, w) writing guest cluster c's
// bytes.
func (l *layout) write(out io.Writer, spans []*span, data func(int, io.Writer) error) error {
	w := &countingWriter{w: bufio.NewWriterSize(out, 1<<20)}
	be := binary.BigEndian
	h := make([]byte, qcowCluster)
	copy(h, "QFI\xfb")
	be.PutUint32(h[4:], 3)
	be.PutUint32(h[20:], qcowClusterBits)
	be.PutUint64(h[24:], uint64(l.size))
	be.PutUint32(h[36:], uint32(l.l1Entries))
	be.PutUint64(h[40:], uint64(l.l1Off))
	be.PutUint64(h[48:], uint64(l.rtOff))
	be.PutUint32(h[56:], 1)
	be.PutUint32(h[96:], 4)    // refcount_order: 16-bit refcounts
	be.PutUint32(h[100:], 104) // header_length; the extensions' end marker follows
	rt := make([]byte, qcowCluster)
	for k := range l.refBlocks {
		be.PutUint64(rt[8*k:], uint64(l.refOff+k*qcowCluster))
	}
	l1 := make([]byte, l.l1Clusters*qcowCluster)
	for i, off := range l.l2Off {
		if off != 0 {
			be.PutUint64(l1[8*i:], uint64(off)|qcowCopied)
		}
	}
	for _, b := range [][]byte{h, rt, l1} {
		w.Write(b)
	}
	for i, off := range l.l2Off {
		if off == 0 {
			continue
		}
		l2 := make([]byte, qcowCluster)
		for j := range qcowL2Entries {
			c := i*qcowL2Entries + j
			if c >= len(spans) || spans[c] == nil {
				continue
			}
			host := uint64(l.hostOf[c])
			e := host | qcowCopied
			if s := spans[c]; s.compressed {
				sectors := (host+uint64(s.n)-1)>>9 - host>>9
				e = host | sectors<<csizeShift | qcowCompressed
			}
			be.PutUint64(l2[8*j:], e)
		}
		w.Write(l2)
	}
	for _, compressed := range []bool{false, true} {
		for c, s := range spans {
			if s == nil || s.compressed != compressed {
				continue
			}
			if w.n != l.hostOf[c] {
				return fmt.Errorf("qcow2 layout: cluster %d at %d, not %d", c, w.n, l.hostOf[c])
			}
			if err := data(c, w); err != nil {
				return err
			}
		}
	}
	w.Write(make([]byte, l.refOff-w.n))
	refs := make([]byte, l.refBlocks*qcowCluster)
	for c, n := range l.refcounts {
		be.PutUint16(refs[2*c:], n)
	}
	w.Write(refs)
	if w.err != nil {
		return w.err
	}
	return w.w.(*bufio.Writer).Flush()
}

// countingWriter counts what it writes and keeps the first error.
type countingWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}
