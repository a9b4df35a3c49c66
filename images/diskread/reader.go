package diskread

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// Reads through qemu-img fetch whole chunks, and keep the last few;
// large reads (file data) are fetched as they are, at most maxFetch at a
// time.
const (
	chunkSize    = 1 << 20
	cachedChunks = 64
	bigRead      = 4 << 20
	maxFetch     = 64 << 20
)

// qemuReader reads ranges of a non-raw image with `qemu-img convert` of
// a raw view at an offset (the raw driver's offset and size options)
// into a memory file given as the command's standard output: no
// temporary file is left behind, whatever happens to the process.
type qemuReader struct {
	ctx    context.Context
	image  *os.File
	format string
	size   int64
	out    *os.File // the memory file qemu-img writes to
	cache  map[int64][]byte
	order  []int64
	calls  int // qemu-img commands run, for tests
}

func newQemuReader(ctx context.Context, image *os.File, format string, size int64) (*qemuReader, error) {
	fd, err := unix.MemfdCreate("diskread", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	return &qemuReader{ctx: ctx, image: image, format: format, size: size,
		out: os.NewFile(uintptr(fd), "memfd:diskread"), cache: map[int64][]byte{}}, nil
}

func (q *qemuReader) close() error { return q.out.Close() }

// ReadAt implements io.ReaderAt.
func (q *qemuReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("read image: negative offset")
	}
	if off >= q.size {
		return 0, io.EOF
	}
	want := min(int64(len(p)), q.size-off)
	var err error
	if want >= bigRead {
		for done := int64(0); done < want && err == nil; done += maxFetch {
			err = q.fetch(p[done:min(done+maxFetch, want)], off+done)
		}
	} else {
		err = q.readCached(p[:want], off)
	}
	if err != nil {
		return 0, err
	}
	if want < int64(len(p)) {
		return int(want), io.EOF
	}
	return int(want), nil
}

// readCached fills p from cached chunks, fetching each run of missing
// chunks with one command.
func (q *qemuReader) readCached(p []byte, off int64) error {
	first, last := off/chunkSize, (off+int64(len(p))-1)/chunkSize
	chunks := map[int64][]byte{}
	for c := first; c <= last; {
		if chunks[c] = q.cache[c]; chunks[c] != nil {
			c++
			continue
		}
		end := c
		for end+1 <= last && q.cache[end+1] == nil {
			end++
		}
		start := c * chunkSize
		buf := make([]byte, min((end+1)*chunkSize, q.size)-start)
		if err := q.fetch(buf, start); err != nil {
			return err
		}
		for i := c; i <= end; i++ {
			chunks[i] = buf[(i-c)*chunkSize : min((i-c+1)*chunkSize, int64(len(buf)))]
			q.keep(i, chunks[i])
		}
		c = end + 1
	}
	for n := 0; n < len(p); {
		at := off + int64(n)
		n += copy(p[n:], chunks[at/chunkSize][at%chunkSize:])
	}
	return nil
}

// keep caches chunk c, dropping the oldest beyond cachedChunks.
func (q *qemuReader) keep(c int64, b []byte) {
	if len(q.order) >= cachedChunks {
		delete(q.cache, q.order[0])
		q.order = q.order[1:]
	}
	q.cache[c] = b
	q.order = append(q.order, c)
}

// fetch reads len(p) bytes at off with one qemu-img command. QEMU's raw
// driver takes only whole sectors, so the range read is widened to
// 512-byte boundaries and p is cut out of it.
func (q *qemuReader) fetch(p []byte, off int64) error {
	q.calls++
	start := off &^ 511
	end := min((off+int64(len(p))+511)&^511, q.size)
	fail := func(err error) error { return fmt.Errorf("read %d bytes at %d: %w", len(p), off, err) }
	if err := q.out.Truncate(0); err != nil {
		return fail(err)
	}
	if err := q.out.Truncate(end - start); err != nil {
		return fail(err)
	}
	src := node{"driver": "raw", "offset": start, "size": end - start, "file": imageNode(q.format)}
	dst := node{"driver": "raw", "file": node{"driver": "file", "filename": "/proc/self/fd/1"}}
	argv := []string{"qemu-img", "convert", "-q", "-n", "-O", "raw", jsonName(src), jsonName(dst)}
	if _, err := run.Run(q.ctx, run.Cmd{Argv: argv, Stdin: q.image, Stdout: q.out}); err != nil {
		return fail(err)
	}
	if n, err := q.out.ReadAt(p, off-start); n != len(p) {
		return fail(err)
	}
	return nil
}
