package initramfs

import (
	"compress/gzip"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
)

// Compression names how an archive is compressed.
type Compression string

// The compressions the kernel unpacks that are offered here.
const (
	Gzip Compression = "gzip" // the default (also the zero value)
	Zstd Compression = "zstd"
	None Compression = "none"
)

// ParseCompression checks a compression name from a command line; "" is gzip.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(s); c {
	case "", Gzip:
		return Gzip, nil
	case Zstd, None:
		return c, nil
	}
	return "", fmt.Errorf("parse compression %q: want gzip, zstd or none", s)
}

// compressor returns a writer compressing to w. Gzip headers carry no name
// and no time, and zstd runs on one goroutine, so the output depends on the
// input only.
func compressor(w io.Writer, c Compression) (io.WriteCloser, error) {
	switch c {
	case "", Gzip:
		return gzip.NewWriterLevel(w, gzip.BestCompression)
	case Zstd:
		zw, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1),
			zstd.WithEncoderLevel(zstd.SpeedBetterCompression))
		if err != nil {
			return nil, fmt.Errorf("start zstd: %w", err)
		}
		return zw, nil
	case None:
		return nopCloser{w}, nil
	}
	return nil, fmt.Errorf("write archive: unknown compression %q", c)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
