package grub

import (
	"bytes"
	"fmt"
	"io"

	"github.com/tripleo/diskimage-builder/images/diskread/fatfs"
)

// maxMemdiskFile bounds what MemdiskFile reads: a memdisk's configuration
// is a few hundred bytes.
const maxMemdiskFile = 64 << 10

// MemdiskFile reads the file name (a slash-separated path) from the FAT
// filesystem of the image's memdisk, as GRUB reads (memdisk)/name. The
// memdisk is untrusted input: it is parsed by fatfs, which checks every
// size it holds, and at most 64 KiB of the file is read.
func (e Embedded) MemdiskFile(name string) (string, error) {
	if len(e.Memdisk) == 0 {
		return "", fmt.Errorf("memdisk: the image has none")
	}
	fsys, err := fatfs.Open(bytes.NewReader(e.Memdisk), int64(len(e.Memdisk)))
	if err != nil {
		return "", fmt.Errorf("memdisk: %w", err)
	}
	f, err := fsys.Open(name)
	if err != nil {
		return "", fmt.Errorf("memdisk: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxMemdiskFile+1))
	if err != nil {
		return "", fmt.Errorf("memdisk: read %s: %w", name, err)
	}
	if len(b) > maxMemdiskFile {
		return "", fmt.Errorf("memdisk: %s is larger than %d bytes", name, maxMemdiskFile)
	}
	return string(b), nil
}
