package format

import (
	"fmt"
	"strings"
)

// Compression is how a compressed qcow2 compresses its clusters.
type Compression string

const (
	// Zlib is the default: qcow2's original compression, which every
	// QEMU reads (the original tool and Debian's cloud images use it).
	Zlib Compression = "zlib"
	// Zstd is several times faster than zlib for the same size; read by
	// QEMU 5.1 and newer only.
	Zstd Compression = "zstd"
	// None leaves the qcow2 uncompressed.
	None Compression = "none"
)

// ParseCompression reads a qcow2 compression name, as
// DIB_QCOW2_COMPRESSION gives it: "zlib" (also the empty string), "zstd"
// or "none", in any case.
func ParseCompression(s string) (Compression, error) {
	switch c := Compression(strings.ToLower(strings.TrimSpace(s))); c {
	case "":
		return Zlib, nil
	case Zstd, Zlib, None:
		return c, nil
	}
	return "", fmt.Errorf("unknown qcow2 compression %q (known: zstd, zlib, none)", s)
}
