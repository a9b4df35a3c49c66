package format

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
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
