package initramfs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/cavaliergopher/cpio"
)

// Options says how an archive is written. The zero value writes gzip with
// every timestamp at 0.
type Options struct {
	Compression Compression
	// ModTime is the modification time of every entry, in seconds since the
	// epoch (as SOURCE_DATE_EPOCH).
	ModTime int64
}

// Write writes the archive to w as compressed newc cpio.
func (a *Archive) Write(w io.Writer, o Options) error {
	cw, err := compressor(w, o.Compression)
	if err != nil {
		return err
	}
	if err := a.WriteCPIO(cw, o.ModTime); err != nil {
		cw.Close()
		return err
	}
	if err := cw.Close(); err != nil {
		return fmt.Errorf("write archive: compress with %s: %w", o.Compression, err)
	}
	return nil
}

// WriteCPIO writes the archive to w as uncompressed newc cpio, every entry
// with modification time mtime (seconds since the epoch).
func (a *Archive) WriteCPIO(w io.Writer, mtime int64) error {
	recs, err := a.layout()
	if err != nil {
		return err
	}
	rw := &rdevWriter{w: w}
	cw := cpio.NewWriter(rw)
	for i, name := range sortedNames(recs) {
		h := &cpio.Header{Name: name, ModTime: time.Unix(mtime, 0), Inode: int64(i + 1), Links: 1}
		if err := writeRecord(cw, rw, h, recs[name]); err != nil {
			return fmt.Errorf("write archive entry /%s: %w", name, err)
		}
	}
	if err := cw.Close(); err != nil {
		return fmt.Errorf("write archive trailer: %w", err)
	}
	return nil
}

// writeRecord writes one header and its data.
func writeRecord(cw *cpio.Writer, rw *rdevWriter, h *cpio.Header, r Record) error {
	h.Mode = cpioPerm(r.Mode)
	var data io.Reader
	switch r.Kind {
	case Dir:
		h.Mode |= cpio.TypeDir
		h.Links = 2
	case Symlink:
		h.Mode |= cpio.TypeSymlink
		h.Size = int64(len(r.Target))
		data = bytes.NewReader([]byte(r.Target))
	case Content:
		h.Mode |= cpio.TypeReg
		h.Size = int64(len(r.Data))
		data = bytes.NewReader(r.Data)
	case CharDevice:
		h.Mode |= cpio.TypeChar
		rw.major, rw.minor, rw.pending = r.Major, r.Minor, true
	case File:
		f, err := os.Open(r.Source)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("source %s is not a regular file", r.Source)
		}
		if r.Mode == 0 {
			h.Mode = cpioPerm(fi.Mode())
		}
		h.Mode |= cpio.TypeReg
		h.Size = fi.Size()
		data = f
	}
	if err := cw.WriteHeader(h); err != nil {
		return err
	}
	if rw.pending {
		return errors.New("device numbers not written: unexpected cpio header write")
	}
	if data == nil {
		return nil
	}
	n, err := io.Copy(cw, data)
	if err == nil && n != h.Size {
		err = fmt.Errorf("wrote %d of %d bytes: source changed while writing", n, h.Size)
	}
	return err
}

// cpioPerm converts permission and special bits to cpio mode bits.
func cpioPerm(m os.FileMode) cpio.FileMode {
	out := cpio.FileMode(m.Perm())
	if m&os.ModeSetuid != 0 {
		out |= cpio.ModeSetuid
	}
	if m&os.ModeSetgid != 0 {
		out |= cpio.ModeSetgid
	}
	if m&os.ModeSticky != 0 {
		out |= cpio.ModeSticky
	}
	return out
}

// rdevWriter fills in the rdevmajor and rdevminor fields of the next newc
// header written through it, which the cpio package leaves at zero.
type rdevWriter struct {
	w            io.Writer
	major, minor uint32
	pending      bool
}

// newcHeaderLen is the size of a newc header; rdev is at bytes 78 to 94.
const newcHeaderLen = 110

func (r *rdevWriter) Write(b []byte) (int, error) {
	if r.pending && len(b) == newcHeaderLen && bytes.HasPrefix(b, []byte("070701")) {
		b = append([]byte(nil), b...)
		copy(b[78:86], fmt.Sprintf("%08X", r.major))
		copy(b[86:94], fmt.Sprintf("%08X", r.minor))
		r.pending = false
	}
	return r.w.Write(b)
}
