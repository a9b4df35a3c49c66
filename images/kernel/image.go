package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/tripleo/diskimage-builder/internal/sys/run"
)

// disk is an image's virtual disk: its bytes as a guest would see them.
type disk struct {
	io.ReaderAt
	path   string
	format string // as qemu-img names it: raw, qcow2, vpc (vhd), vmdk, ...
	size   int64
	close  func() error
}

// Close releases the disk's file and temporary directory.
func (d *disk) Close() error { return d.close() }

// imageInfo is the part of `qemu-img info --output=json` we use.
type imageInfo struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
}

// openDisk opens an image file. Raw images are read directly; other
// formats are read through qemu-img, a range at a time, so only the parts
// holding the partition table, the filesystem metadata and the kernel are
// ever decoded.
func openDisk(ctx context.Context, image string) (*disk, error) {
	f, err := os.Open(image)
	if err != nil {
		return nil, fmt.Errorf("open image: %w", err)
	}
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("open image %s: not a regular file", image)
	}
	// An absolute path, so that qemu-img never reads a "protocol:" prefix.
	abs, err := filepath.Abs(image)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open image: %w", err)
	}
	out, err := run.Output(ctx, "qemu-img", "info", "--output=json", abs)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read image format of %s: %w", image, err)
	}
	var info imageInfo
	if err := json.Unmarshal([]byte(out), &info); err != nil || info.Format == "" {
		f.Close()
		return nil, fmt.Errorf("read image format of %s: unexpected qemu-img output: %q", image, out)
	}
	slog.Debug("image", "path", image, "format", info.Format, "virtual-size", info.VirtualSize)
	if info.Format == "raw" {
		return &disk{ReaderAt: f, path: image, format: "raw", size: st.Size(), close: f.Close}, nil
	}
	f.Close()
	dir, err := os.MkdirTemp("", "get-kernel-")
	if err != nil {
		return nil, fmt.Errorf("read image %s: %w", image, err)
	}
	q := &qemuReader{ctx: ctx, image: abs, format: info.Format, size: info.VirtualSize,
		tmp: filepath.Join(dir, "range.raw"), cache: map[int64][]byte{}}
	return &disk{ReaderAt: q, path: image, format: info.Format, size: info.VirtualSize,
		close: func() error { return os.RemoveAll(dir) }}, nil
}

// Reads through qemu-img fetch whole chunks, cached, except large reads
// (file data), which are fetched as they are.
const (
	chunkSize = 1 << 20
	bigRead   = 4 << 20
)

// qemuReader reads ranges of a non-raw image with `qemu-img convert` of a
// raw view at an offset (the raw driver's offset and size options) into a
// temporary file.
type qemuReader struct {
	ctx    context.Context
	image  string
	format string
	size   int64
	tmp    string
	cache  map[int64][]byte
	calls  int // qemu-img commands run, for tests
}

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
		err = q.fetch(p[:want], off)
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
	for c := first; c <= last; {
		if q.cache[c] != nil {
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
			q.cache[i] = buf[(i-c)*chunkSize : min((i-c+1)*chunkSize, int64(len(buf)))]
		}
		c = end + 1
	}
	for n := 0; n < len(p); {
		at := off + int64(n)
		chunk := q.cache[at/chunkSize]
		n += copy(p[n:], chunk[at%chunkSize:])
	}
	return nil
}

// fetch reads len(p) bytes at off with one qemu-img command. QEMU's raw
// driver takes only whole sectors, so the range read is widened to 512-byte
// boundaries and p is cut out of it.
func (q *qemuReader) fetch(p []byte, off int64) error {
	q.calls++
	start := off &^ 511
	end := min((off+int64(len(p))+511)&^511, q.size)
	opts := strings.Join([]string{"driver=raw", "offset=" + strconv.FormatInt(start, 10),
		"size=" + strconv.FormatInt(end-start, 10), "file.driver=" + q.format, "file.file.driver=file",
		"file.file.filename=" + strings.ReplaceAll(q.image, ",", ",,")}, ",")
	argv := []string{"qemu-img", "convert", "-q", "--image-opts", opts, "-O", "raw", q.tmp}
	if _, err := run.Run(q.ctx, run.Cmd{Argv: argv}); err != nil {
		return fmt.Errorf("read %d bytes at %d of %s: %w", len(p), off, q.image, err)
	}
	defer os.Remove(q.tmp)
	f, err := os.Open(q.tmp)
	if err != nil {
		return fmt.Errorf("read %d bytes at %d of %s: %w", len(p), off, q.image, err)
	}
	defer f.Close()
	if _, err := f.Seek(off-start, io.SeekStart); err != nil {
		return fmt.Errorf("read %d bytes at %d of %s: %w", len(p), off, q.image, err)
	}
	if _, err := io.ReadFull(f, p); err != nil {
		return fmt.Errorf("read %d bytes at %d of %s: %w", len(p), off, q.image, err)
	}
	return nil
}
