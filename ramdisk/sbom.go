package ramdisk

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tripleo/diskimage-builder/flavours"
	"github.com/tripleo/diskimage-builder/images/imageprops"
	"github.com/tripleo/diskimage-builder/ramdisk/initramfs"
	"github.com/tripleo/diskimage-builder/sbom"
)

// ramdiskBOM is the bill of materials of a ramdisk: the outputs
// (kernel and initramfs, by their temporary files in outs), every file the
// archive copies and the kernel, each with the package of the source root
// that installed it, those packages, and the flavours.
func ramdiskBOM(s Spec, src source, set *flavours.Set, a *initramfs.Archive, at time.Time, kernel string, outs map[string]string) (sbom.BOM, error) {
	b := sbom.BOM{Name: filepath.Base(s.Name), Release: src.release, Arch: s.Arch, Epoch: at, Archive: src.archive,
		ImageVersion: sbom.ShortDigest(src.inputs)}
	var err error
	if b.OSName, b.OSVersion, err = imageprops.OSRelease(src.root); err != nil {
		return b, err
	}
	owners, err := sbom.ReadOwners(src.root)
	if err != nil {
		return b, err
	}
	installed, err := sbom.ReadPackages(src.root)
	if err != nil {
		return b, err
	}
	files := append(a.Files(), initramfs.Copied{Path: kernelPath(src.kver), Source: kernel})
	used := map[string]bool{}
	for _, f := range files {
		sum, kind, err := describe(f.Source, f.Path)
		if err != nil {
			return b, err
		}
		file := sbom.File{Path: f.Path, Kind: kind, SHA256: sum}
		// A file is the root's own when it is copied from its place in
		// the root (a --host module root is not the host's).
		if filepath.Clean(f.Source) == filepath.Join(src.root, f.Path) || f.Source == kernel && src.modRoot == src.root {
			file.Package = owners.Of(f.Path)
		}
		used[file.Package] = true
		b.Files = append(b.Files, file)
	}
	for _, p := range installed {
		if used[p.Name] {
			b.Packages = append(b.Packages, p)
		}
	}
	if b.Flavours, err = sbom.FlavoursOf(set); err != nil {
		return b, err
	}
	for name, tmp := range outs {
		sum, _, err := describe(tmp, "")
		if err != nil {
			return b, err
		}
		b.Outputs = append(b.Outputs, sbom.Output{Name: name, SHA256: sum})
	}
	return b, nil
}

// describe hashes the file at src and says what kind of file it is at p
// in the archive: a kernel module, firmware, a library, a program, or
// another file.
func describe(src, p string) (sum, kind string, err error) {
	fh, err := os.Open(src)
	if err != nil {
		return "", "", fmt.Errorf("bill of materials: %w", err)
	}
	defer fh.Close()
	br := bufio.NewReader(fh)
	magic, _ := br.Peek(4)
	h := sha256.New()
	if _, err := io.Copy(h, br); err != nil {
		return "", "", fmt.Errorf("bill of materials: hash %s: %w", src, err)
	}
	base := filepath.Base(p)
	switch {
	case strings.HasPrefix(p, "/boot/vmlinuz-"):
		kind = "kernel"
	case strings.Contains(p, "/lib/modules/") && strings.Contains(base, ".ko"):
		kind = "module"
	case strings.Contains(p, "/lib/firmware/"):
		kind = "firmware"
	case string(magic) == "\x7fELF" && strings.Contains(base, ".so"):
		kind = "library"
	case string(magic) == "\x7fELF":
		kind = "program"
	default:
		kind = "file"
	}
	return hex.EncodeToString(h.Sum(nil)), kind, nil
}

// writeBOM writes b into the existing file p.
func writeBOM(b sbom.BOM, p string) error {
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return fmt.Errorf("bill of materials: %w", err)
	}
	err = b.Write(fh)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	return err
}

// hostRelease is the codename of the host's release (VERSION_CODENAME in
// /etc/os-release), for the purls of a --host ramdisk's packages.
func hostRelease() string {
	data, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VERSION_CODENAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}
