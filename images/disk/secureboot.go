package disk

import (
	"debug/pe"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf16"

	"github.com/tripleo/diskimage-builder/images/disk/grub"
	"github.com/tripleo/diskimage-builder/internal/sys/inroot"
)

// Where Debian's packages install the signed boot chain in a tree:
// shim-signed, shim-helpers-amd64-signed and grub-efi-amd64-signed.
const (
	signedShim       = "/usr/lib/shim/shimx64.efi.signed"
	signedFallback   = "/usr/lib/shim/fbx64.efi.signed"
	signedMokManager = "/usr/lib/shim/mmx64.efi.signed"
	signedGrub       = "/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed"
)

// SignedChain holds the host paths of a tree's signed boot chain.
type SignedChain struct {
	Shim       string // Microsoft-signed shim, which carries Debian's key
	Fallback   string // shim's fallback: makes a boot entry from BOOTX64.CSV
	MokManager string // shim's MOK manager, for enrolling keys
	Grub       string // Debian-signed GRUB, all modules built in
}

// FindSignedChain resolves the signed boot chain inside tree and checks
// that each file carries a signature. The error names the package to
// install.
func FindSignedChain(tree string) (SignedChain, error) {
	var c SignedChain
	for _, f := range []struct {
		dst      *string
		path, pk string
	}{
		{&c.Shim, signedShim, "shim-signed"},
		{&c.Fallback, signedFallback, "shim-helpers-amd64-signed"},
		{&c.MokManager, signedMokManager, "shim-helpers-amd64-signed"},
		{&c.Grub, signedGrub, "grub-efi-amd64-signed"},
	} {
		p, err := inroot.HostPath(tree, f.path)
		if err != nil {
			return SignedChain{}, fmt.Errorf("secure boot: tree %s has no %s (install %s, or set DIB_SECURE_BOOT=0): %w", tree, f.path, f.pk, err)
		}
		if err := checkSigned(p); err != nil {
			return SignedChain{}, fmt.Errorf("secure boot: %s: %w", f.path, err)
		}
		*f.dst = p
	}
	return c, nil
}

// checkSigned reports an error unless the PE file at p carries an
// Authenticode signature (a certificate table). It does not verify it:
// the firmware, shim and GRUB do.
func checkSigned(p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file", p)
	}
	f, err := pe.Open(p)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	defer f.Close()
	// The header's count of directories is the file's word: debug/pe keeps
	// the first 16 whatever it says.
	var dirs []pe.DataDirectory
	switch h := f.OptionalHeader.(type) {
	case *pe.OptionalHeader64:
		dirs = h.DataDirectory[:min(h.NumberOfRvaAndSizes, uint32(len(h.DataDirectory)))]
	case *pe.OptionalHeader32:
		dirs = h.DataDirectory[:min(h.NumberOfRvaAndSizes, uint32(len(h.DataDirectory)))]
	}
	if len(dirs) <= pe.IMAGE_DIRECTORY_ENTRY_SECURITY || dirs[pe.IMAGE_DIRECTORY_ENTRY_SECURITY].Size == 0 {
		return errors.New("not signed: no certificate table in " + p)
	}
	return nil
}

// vendorDirRE is what a signed GRUB's prefix must look like to name a
// directory on the ESP: /EFI/debian.
var vendorDirRE = regexp.MustCompile(`^/EFI/[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$`)

// VendorDir is the ESP directory the signed GRUB at grubImage reads
// grub.cfg from: the prefix built into it, on the partition it was loaded
// from. Debian's GRUB either has no embedded configuration (trixie), so
// normal mode reads $prefix/grub.cfg, or one that runs the grub.cfg of its
// memdisk (bookworm), which sources $prefix/grub.cfg when the prefix
// exists (see readsPrefixConfig). Any other image is refused, as its
// configuration could look elsewhere.
func VendorDir(grubImage string) (string, error) {
	e, err := grub.ReadEmbedded(grubImage)
	if err != nil {
		return "", fmt.Errorf("secure boot: %w", err)
	}
	if e.Config != "" {
		if err := readsPrefixConfig(e); err != nil {
			return "", fmt.Errorf("secure boot: signed grub %s has an embedded configuration that does not read $prefix/grub.cfg: %w", grubImage, err)
		}
	}
	if !vendorDirRE.MatchString(e.Prefix) {
		return "", fmt.Errorf("secure boot: signed grub %s has prefix %q; want a directory of the ESP such as /EFI/debian", grubImage, e.Prefix)
	}
	return e.Prefix, nil
}

// memdiskConfig is the embedded configuration of Debian's signed GRUB
// before trixie: normal mode on the configuration in its memdisk.
const memdiskConfig = "normal (memdisk)/grub.cfg"

// readsPrefixConfig checks that an embedded configuration ends up reading
// $prefix/grub.cfg: it is exactly memdiskConfig, and the memdisk's
// grub.cfg sources $prefix/grub.cfg. (Debian's does when $prefix exists
// and holds no x86_64-efi/grub.cfg, as on the ESP written here.)
func readsPrefixConfig(e grub.Embedded) error {
	if strings.TrimSpace(e.Config) != memdiskConfig {
		return fmt.Errorf("it is %q", truncate(e.Config, 80))
	}
	cfg, err := e.MemdiskFile("grub.cfg")
	if err != nil {
		return err
	}
	for _, l := range strings.Split(cfg, "\n") {
		if strings.TrimSpace(l) == "source $prefix/grub.cfg" {
			return nil
		}
	}
	return errors.New("its memdisk's grub.cfg never sources $prefix/grub.cfg")
}

// truncate is s cut to n bytes, marked when cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// SignedESP lays out the ESP for Secure Boot: shim on the removable-media
// path with its fallback, MOK manager and GRUB beside it, and the same
// chain in vendor (the signed GRUB's prefix) with the boot-entry CSV the
// fallback reads and the grub.cfg the signed GRUB reads. It maps paths on
// the ESP to host files; config and csv are files the caller wrote.
//
// The firmware starts EFI/BOOT/BOOTX64.EFI (shim); shim sees fbx64.efi
// beside it and runs it; the fallback adds a boot entry for
// vendor/shimx64.efi from vendor/BOOTX64.CSV and starts it; that shim
// starts vendor/grubx64.efi, which reads vendor/grub.cfg.
func SignedESP(c SignedChain, vendor, config, csv string) map[string]string {
	return map[string]string{
		"/EFI/BOOT/BOOTX64.EFI": c.Shim,
		"/EFI/BOOT/fbx64.efi":   c.Fallback,
		"/EFI/BOOT/mmx64.efi":   c.MokManager,
		"/EFI/BOOT/grubx64.efi": c.Grub,
		vendor + "/shimx64.efi": c.Shim,
		vendor + "/mmx64.efi":   c.MokManager,
		vendor + "/grubx64.efi": c.Grub,
		vendor + "/BOOTX64.CSV": csv,
		vendor + "/grub.cfg":    config,
	}
}

// UnsignedESP lays out the ESP without Secure Boot: the GRUB image made by
// grub-mkimage on the removable-media path.
func UnsignedESP(efiImage string) map[string]string {
	return map[string]string{"/EFI/BOOT/BOOTX64.EFI": efiImage}
}

// ESPGrubCfg is the grub.cfg the signed GRUB reads from the ESP: it finds
// the root filesystem by UUID and goes on with /boot/grub/grub.cfg there,
// the file the BIOS and unsigned UEFI paths read too.
func ESPGrubCfg(rootUUID string) string {
	return "# Written by diskimage-builder: the boot menu is /boot/grub/grub.cfg on the root filesystem.\n" +
		grub.EmbeddedConfig(rootUUID) + "configfile $prefix/grub.cfg\n"
}

// BootCSV is the BOOTX64.CSV shim's fallback reads in a vendor directory:
// one line "loader,label,options,comment" in UCS-2 little endian, as
// shim's own build writes it. It names shimx64.efi, in the same directory.
func BootCSV(label string) []byte {
	line := "shimx64.efi," + label + ",,This is the boot entry for " + label + "\n"
	u := utf16.Encode([]rune(line))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = append(b, byte(c), byte(c>>8))
	}
	return b
}

// writeSignedESPFiles writes the ESP's grub.cfg and BOOTX64.CSV into work
// and returns the ESP layout for the tree's signed chain.
func writeSignedESPFiles(tree, work, rootUUID string) (map[string]string, error) {
	chain, err := FindSignedChain(tree)
	if err != nil {
		return nil, err
	}
	vendor, err := VendorDir(chain.Grub)
	if err != nil {
		return nil, err
	}
	cfg, csv := filepath.Join(work, "esp-grub.cfg"), filepath.Join(work, "BOOTX64.CSV")
	if err := os.WriteFile(cfg, []byte(ESPGrubCfg(rootUUID)), 0o644); err != nil {
		return nil, fmt.Errorf("secure boot: %w", err)
	}
	if err := os.WriteFile(csv, BootCSV(path.Base(vendor)), 0o644); err != nil {
		return nil, fmt.Errorf("secure boot: %w", err)
	}
	return SignedESP(chain, vendor, cfg, csv), nil
}
