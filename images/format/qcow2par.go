package format

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// A zlib-compressed qcow2 is written in parts at once: qemu-img compresses
// a qcow2's clusters one after the other when its writes stay in order
// (the only order that gives the same bytes from the same disk), and zlib
// is several times slower than zstd. So each range of the raw disk is
// converted into a qcow2 of its own, in parallel, and the compressed
// clusters of the parts are copied, in the disk's order, into one qcow2
// this file writes: header, refcount table, L1 and L2 tables, the
// uncompressed clusters, the compressed ones, the refcount blocks. The
// same disk gives the same bytes, whatever the number of parts that ran
// at once.

const (
	qcowClusterBits = 16
	qcowCluster     = 1 << qcowClusterBits
	qcowL2Entries   = qcowCluster / 8
	qcowRefEntries  = qcowCluster / 2 // 16-bit refcounts
	qcowCompressed  = uint64(1) << 62
	qcowCopied      = uint64(1) << 63
	qcowOffsetMask  = uint64(0x00fffffffffffe00)
	// csizeShift is where a compressed descriptor's sector count starts
	// (62 - (cluster_bits - 8)).
	csizeShift = 62 - (qcowClusterBits - 8)
	// partSize is the size of each range converted on its own.
	partSize = 128 << 20
)

// span is the data of one guest cluster in a part: compressed bytes, or a
// whole cluster stored as it is.
type span struct {
	off, n     int64 // in the part file
	compressed bool
}

// convertZlibParallel writes src (raw) as a zlib-compressed qcow2 at dst.
// A disk of a size that is no whole number of sectors (the builder makes
// none) is converted by qemu-img alone.
func convertZlibParallel(ctx context.Context, src, dst string) error {
	fi, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("convert %s: %w", src, err)
	}
	size := fi.Size()
	if size%512 != 0 {
		argv := []string{"qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", "-o", "compression_type=zlib", src, dst}
		if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
			return fmt.Errorf("convert %s: %w", src, err)
		}
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(src), ".qcow2-parts-") // beside the raw disk, in the build directory
	if err != nil {
		return fmt.Errorf("convert %s: %w", src, err)
	}
	defer os.RemoveAll(tmp)
	nparts := int((size + partSize - 1) / partSize)
	parts := make([]string, nparts)
	errs := make([]error, nparts)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, runtime.NumCPU())
	var wg sync.WaitGroup
	for i := range nparts {
		parts[i] = filepath.Join(tmp, fmt.Sprintf("part-%04d.qcow2", i))
		off := int64(i) * partSize
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			if errs[i] = convertRange(ctx, src, parts[i], off, min(partSize, size-off)); errs[i] != nil {
				cancel()
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return mergeParts(parts, size, dst)
}

// convertRange converts n bytes of src from off into a compressed qcow2.
func convertRange(ctx context.Context, src, dst string, off, n int64) error {
	spec, _ := json.Marshal(map[string]any{"driver": "raw", "offset": off, "size": n,
		"file": map[string]any{"driver": "file", "filename": src}})
	argv := []string{"qemu-img", "convert", "-O", "qcow2", "-c", "-o", "compression_type=zlib,cluster_size=65536",
		"json:" + string(spec), dst}
	if _, err := run.Run(ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("convert %s at %d: %w", src, off, err)
	}
	return nil
}

// readPart lists the spans of a part's guest clusters (nil: unallocated
// or zero).
func readPart(f *os.File) ([]*span, error) {
	h := make([]byte, 104)
	if _, err := f.ReadAt(h, 0); err != nil {
		return nil, fmt.Errorf("read qcow2 part: %w", err)
	}
	be := binary.BigEndian
	if be.Uint32(h) != 0x514649fb || be.Uint32(h[20:]) != qcowClusterBits {
		return nil, fmt.Errorf("qcow2 part %s: not a 64 KiB-cluster qcow2", f.Name())
	}
	clusters := (be.Uint64(h[24:]) + qcowCluster - 1) / qcowCluster
	l1 := make([]byte, 8*int64(be.Uint32(h[36:])))
	if _, err := f.ReadAt(l1, int64(be.Uint64(h[40:]))); err != nil {
		return nil, fmt.Errorf("qcow2 part %s: L1: %w", f.Name(), err)
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	spans := make([]*span, clusters)
	l2 := make([]byte, qcowCluster)
	for i := 0; i < len(l1)/8; i++ {
		l2off := be.Uint64(l1[8*i:]) & qcowOffsetMask
		if l2off == 0 {
			continue
		}
		if _, err := f.ReadAt(l2, int64(l2off)); err != nil {
			return nil, fmt.Errorf("qcow2 part %s: L2: %w", f.Name(), err)
		}
		for j := range qcowL2Entries {
			c := uint64(i)*qcowL2Entries + uint64(j)
			e := be.Uint64(l2[8*j:])
			if c >= clusters || e&^qcowCopied == 0 || e&1 == 1 && e&qcowCompressed == 0 {
				continue // unallocated, or reads as zeros
			}
			s := &span{}
			if e&qcowCompressed != 0 {
				off := e & (uint64(1)<<csizeShift - 1)
				sectors := (e>>csizeShift)&(uint64(1)<<(62-csizeShift)-1) + 1
				s.off, s.compressed = int64(off), true
				s.n = int64(off&^511+sectors*512) - s.off
			} else {
				s.off, s.n = int64(e&qcowOffsetMask), qcowCluster
			}
			if s.off+s.n > fi.Size() {
				s.n = fi.Size() - s.off // the last compressed cluster's sectors may end past the file
			}
			if s.n <= 0 {
				return nil, fmt.Errorf("qcow2 part %s: cluster %d out of the file", f.Name(), c)
			}
			spans[c] = s
		}
	}
	return spans, nil
}

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
