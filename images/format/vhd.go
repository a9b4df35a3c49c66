package format

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/google/uuid"
)

// A VHD (qemu-img's "vpc") ends with a 512-byte footer, copied at the start
// of a dynamic disk, that records when and by whom the disk was made and a
// unique id: qemu-img writes the clock and a random UUID there. StampVHD
// writes the build's values instead.
const (
	vhdFooterSize = 512
	vhdCookie     = "conectix"
	vhdTimeOff    = 24 // seconds since 2000-01-01 00:00:00 UTC, big-endian
	vhdSumOff     = 64 // ones' complement of the sum of the other bytes
	vhdUUIDOff    = 68
)

// vhdEpoch is when VHD time starts.
var vhdEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// VHDFooter is what StampVHD sets in a footer.
type VHDFooter struct {
	Time time.Time // before 2000 is written as 2000
	UUID uuid.UUID
}

// StampVHD sets the time and UUID of the footer at the end of the VHD file
// at p, and of its copy at the start when there is one, and their
// checksums.
func StampVHD(p string, f VHDFooter) error {
	fh, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("stamp vhd %s: %w", p, err)
	}
	offs, err := vhdFooters(fh)
	if err == nil {
		for _, off := range offs {
			if err = stampVHDAt(fh, off, f); err != nil {
				break
			}
		}
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("stamp vhd %s: %w", p, err)
	}
	return nil
}

// vhdFooters finds the footers of the VHD file: the last 512 bytes, and
// the first 512 when they are a copy (a dynamic disk).
func vhdFooters(fh *os.File) ([]int64, error) {
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() < vhdFooterSize {
		return nil, errors.New("shorter than a footer")
	}
	end := fi.Size() - vhdFooterSize
	if !hasVHDCookie(fh, end) {
		return nil, errors.New("no footer at the end")
	}
	offs := []int64{end}
	if end > 0 && hasVHDCookie(fh, 0) {
		offs = append(offs, 0)
	}
	return offs, nil
}

func hasVHDCookie(r io.ReaderAt, off int64) bool {
	b := make([]byte, len(vhdCookie))
	_, err := r.ReadAt(b, off)
	return err == nil && string(b) == vhdCookie
}

// stampVHDAt rewrites the footer at off.
func stampVHDAt(fh *os.File, off int64, f VHDFooter) error {
	b := make([]byte, vhdFooterSize)
	if _, err := fh.ReadAt(b, off); err != nil {
		return err
	}
	secs := f.Time.Sub(vhdEpoch) / time.Second
	if secs < 0 {
		secs = 0
	}
	binary.BigEndian.PutUint32(b[vhdTimeOff:], uint32(secs))
	copy(b[vhdUUIDOff:vhdUUIDOff+16], f.UUID[:])
	binary.BigEndian.PutUint32(b[vhdSumOff:], vhdChecksum(b))
	_, err := fh.WriteAt(b, off)
	return err
}

// vhdChecksum is a footer's checksum: the ones' complement of the sum of
// its bytes, the checksum field read as zero.
func vhdChecksum(b []byte) uint32 {
	var sum uint32
	for i, c := range b {
		if i < vhdSumOff || i >= vhdSumOff+4 {
			sum += uint32(c)
		}
	}
	return ^sum
}

// ReadVHDFooter reads the time and UUID of the footer at the end of the
// VHD file at p, checking its checksum; tests and tools read stamps back
// with it.
func ReadVHDFooter(p string) (VHDFooter, error) {
	data, err := readTail(p, vhdFooterSize)
	if err != nil || !bytes.HasPrefix(data, []byte(vhdCookie)) {
		return VHDFooter{}, fmt.Errorf("read vhd footer of %s: not a vhd (%v)", p, err)
	}
	if binary.BigEndian.Uint32(data[vhdSumOff:]) != vhdChecksum(data) {
		return VHDFooter{}, fmt.Errorf("read vhd footer of %s: bad checksum", p)
	}
	var f VHDFooter
	f.Time = vhdEpoch.Add(time.Duration(binary.BigEndian.Uint32(data[vhdTimeOff:])) * time.Second)
	copy(f.UUID[:], data[vhdUUIDOff:vhdUUIDOff+16])
	return f, nil
}

// readTail reads the last n bytes of the file at p.
func readTail(p string, n int64) ([]byte, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() < n {
		return nil, errors.New("too short")
	}
	b := make([]byte, n)
	_, err = fh.ReadAt(b, fi.Size()-n)
	return b, err
}
