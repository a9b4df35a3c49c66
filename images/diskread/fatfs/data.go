package fatfs

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
)

// maxPiece bounds one read of file data, and so the memory it needs.
const maxPiece = 64 << 20

// run is a stretch of contiguous clusters of a file, at file offset at.
type run struct {
	at    int64
	first uint32
	n     uint32
}

// mapFile follows the file's cluster chain for as many clusters as its
// size needs, as runs of contiguous clusters.
func (f *file) mapFile() error {
	if f.mapd {
		return nil
	}
	size := int64(f.e.size)
	need := (size + f.fs.clusterSize - 1) / f.fs.clusterSize
	if need == 0 {
		f.mapd = true
		return nil
	}
	var got int64
	err := f.fs.chain(f.e.first, func(c uint32) bool {
		if n := len(f.runs); n > 0 && f.runs[n-1].first+f.runs[n-1].n == c {
			f.runs[n-1].n++
		} else {
			f.runs = append(f.runs, run{at: got * f.fs.clusterSize, first: c, n: 1})
		}
		got++
		return got < need
	})
	if err == nil && got < need {
		err = fmt.Errorf("cluster chain from %d has %d clusters, the file's %d bytes need %d", f.e.first, got, size, need)
	}
	if err == nil {
		err = crossing(f.e.first, f.runs)
	}
	if err != nil {
		return &fs.PathError{Op: "read", Path: f.e.name, Err: err}
	}
	f.mapd = true
	return nil
}

// WriteTo writes the file's content to w: Size bytes, which the caller
// checks first when the filesystem is not its own.
func (f *file) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		buf := make([]byte, min(int64(f.e.size)-f.pos, maxPiece))
		if len(buf) == 0 {
			return total, nil
		}
		n, err := f.Read(buf)
		if _, werr := w.Write(buf[:n]); werr != nil {
			return total, werr
		}
		total += int64(n)
		if err != nil && err != io.EOF {
			return total, err
		}
	}
}

// Read reads the next len(p) bytes of the file, each run of contiguous
// clusters in one read.
func (f *file) Read(p []byte) (int, error) {
	if f.e.dir {
		return 0, &fs.PathError{Op: "read", Path: f.e.name, Err: errors.New("is a directory")}
	}
	if err := f.mapFile(); err != nil {
		return 0, err
	}
	size := int64(f.e.size)
	if f.pos >= size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), size-f.pos)
	i := sort.Search(len(f.runs), func(i int) bool {
		return f.runs[i].at+int64(f.runs[i].n)*f.fs.clusterSize > f.pos
	})
	for done := int64(0); done < n; i++ {
		r := f.runs[i]
		skip := f.pos + done - r.at
		m := min(int64(r.n)*f.fs.clusterSize-skip, n-done)
		if err := f.fs.readFull(p[done:done+m], f.fs.clusterOffset(r.first)+skip); err != nil {
			return int(done), &fs.PathError{Op: "read", Path: f.e.name, Err: err}
		}
		done += m
	}
	f.pos += n
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// crossing checks that no cluster appears twice in a file's runs: a
// chain that loops before the file's end would repeat data. Brent's
// method in chain finds such a loop only after going round it once.
func crossing(first uint32, runs []run) error {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b run) int { return cmp.Compare(a.first, b.first) })
	for i := 1; i < len(sorted); i++ {
		if prev := sorted[i-1]; prev.first+prev.n > sorted[i].first {
			return fmt.Errorf("cluster chain from %d loops at cluster %d", first, sorted[i].first)
		}
	}
	return nil
}
