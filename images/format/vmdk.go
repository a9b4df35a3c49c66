package format

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// A monolithic sparse or stream-optimized VMDK holds a text descriptor
// after its header. qemu-img writes a random content id there (CID=) and
// the name of the file it wrote, which for a build is a temporary name.
// StampVMDK writes the build's CID and the output's own name instead.
const (
	vmdkMagic     = 0x564d444b // "KDMV", little-endian
	vmdkDescOff   = 28         // descriptor offset, in sectors (uint64)
	vmdkDescSize  = 36         // descriptor size, in sectors (uint64)
	vmdkMaxDesc   = 2048       // sectors: a descriptor is one or a few
	vmdkSector    = 512
	vmdkHeaderLen = 44
)

var (
	vmdkCIDLine    = regexp.MustCompile(`(?m)^CID=[0-9a-fA-F]{1,8}$`)
	vmdkExtentLine = regexp.MustCompile(`(?m)^((?:RW|RDONLY|NOACCESS) \d+ \w+) "[^"\n]*"(.*)$`)
)

// StampVMDK sets the CID of the VMDK file at p to cid and the file name of
// its extent to name (its final name, without directory).
func StampVMDK(p string, cid uint32, name string) error {
	if strings.ContainsAny(name, "\"\n/") {
		return fmt.Errorf("stamp vmdk %s: the name %q cannot be written in a descriptor", p, name)
	}
	fh, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("stamp vmdk %s: %w", p, err)
	}
	defer fh.Close() // after a failure; the success path closes it first
	off, desc, err := vmdkDescriptor(fh)
	if err != nil {
		return fmt.Errorf("stamp vmdk %s: %w", p, err)
	}
	text := bytes.TrimRight(desc, "\x00")
	if len(vmdkCIDLine.FindAll(text, -1)) != 1 || len(vmdkExtentLine.FindAll(text, -1)) != 1 {
		return fmt.Errorf("stamp vmdk %s: the descriptor has not one CID and one extent", p)
	}
	text = vmdkCIDLine.ReplaceAll(text, fmt.Appendf(nil, "CID=%08x", cid))
	text = vmdkExtentLine.ReplaceAllFunc(text, func(l []byte) []byte {
		m := vmdkExtentLine.FindSubmatch(l)
		return fmt.Appendf(nil, "%s \"%s\"%s", m[1], name, m[2])
	})
	if len(text) > len(desc) {
		return fmt.Errorf("stamp vmdk %s: the new descriptor does not fit in %d bytes", p, len(desc))
	}
	out := make([]byte, len(desc))
	copy(out, text)
	if _, err := fh.WriteAt(out, off); err != nil {
		return fmt.Errorf("stamp vmdk %s: %w", p, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("stamp vmdk %s: %w", p, err)
	}
	return nil
}

// vmdkDescriptor reads the embedded descriptor of a sparse VMDK and
// returns its offset and bytes (the whole area, padding included).
func vmdkDescriptor(fh *os.File) (int64, []byte, error) {
	h := make([]byte, vmdkHeaderLen)
	if _, err := fh.ReadAt(h, 0); err != nil {
		return 0, nil, fmt.Errorf("read header: %w", err)
	}
	if binary.LittleEndian.Uint32(h) != vmdkMagic {
		return 0, nil, fmt.Errorf("not a sparse vmdk")
	}
	off, size := binary.LittleEndian.Uint64(h[vmdkDescOff:]), binary.LittleEndian.Uint64(h[vmdkDescSize:])
	if off == 0 || size == 0 || size > vmdkMaxDesc || off > 1<<40 {
		return 0, nil, fmt.Errorf("no embedded descriptor (offset %d, %d sectors)", off, size)
	}
	desc := make([]byte, size*vmdkSector)
	if _, err := fh.ReadAt(desc, int64(off)*vmdkSector); err != nil {
		return 0, nil, fmt.Errorf("read descriptor: %w", err)
	}
	return int64(off) * vmdkSector, desc, nil
}

// VMDKDescriptor is what ReadVMDK finds in a descriptor.
type VMDKDescriptor struct {
	CID    uint32
	Extent string // the file name of the (only) extent
}

// ReadVMDK reads the CID and extent name of the VMDK file at p; tests and
// tools read stamps back with it.
func ReadVMDK(p string) (VMDKDescriptor, error) {
	fh, err := os.Open(p)
	if err != nil {
		return VMDKDescriptor{}, fmt.Errorf("read vmdk %s: %w", p, err)
	}
	defer fh.Close()
	_, desc, err := vmdkDescriptor(fh)
	if err != nil {
		return VMDKDescriptor{}, fmt.Errorf("read vmdk %s: %w", p, err)
	}
	var d VMDKDescriptor
	cid := vmdkCIDLine.Find(desc)
	ext := vmdkExtentLine.FindSubmatch(desc)
	if cid == nil || ext == nil {
		return VMDKDescriptor{}, fmt.Errorf("read vmdk %s: no CID or extent in the descriptor", p)
	}
	n, err := strconv.ParseUint(string(cid[len("CID="):]), 16, 32)
	if err != nil {
		return VMDKDescriptor{}, fmt.Errorf("read vmdk %s: %w", p, err)
	}
	d.CID = uint32(n)
	line := string(ext[0])
	d.Extent = line[strings.IndexByte(line, '"')+1 : strings.LastIndexByte(line, '"')]
	return d, nil
}
