package qemu

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Firmware is an OVMF build: either split into read-only code and a
// variable-store template (Vars set), or one combined image (Vars empty).
type Firmware struct {
	Code string
	Vars string
}

// ovmfCandidates are the usual places distributions put OVMF, best first:
// split builds before combined ones, 4 MiB builds before 2 MiB ones. Secure
// boot builds are left out: they refuse an unsigned bootloader.
var ovmfCandidates = []Firmware{
	{"/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"}, // Debian, Ubuntu
	{"/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"},
	{"/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"},       // Fedora
	{"/usr/share/edk2/x64/OVMF_CODE.4m.fd", "/usr/share/edk2/x64/OVMF_VARS.4m.fd"},   // Arch
	{"/usr/share/qemu/ovmf-x86_64-code.bin", "/usr/share/qemu/ovmf-x86_64-vars.bin"}, // openSUSE
	{Code: "/usr/share/ovmf/OVMF.fd"},
	{Code: "/usr/share/qemu/OVMF.fd"},
	{Code: "/usr/share/ovmf/x64/OVMF.fd"},
}

// FindOVMF returns the first OVMF build found in the usual places.
func FindOVMF() (Firmware, error) {
	return findOVMF("/", ovmfCandidates)
}

// findOVMF looks for the candidates below root.
func findOVMF(root string, candidates []Firmware) (Firmware, error) {
	var tried []string
	for _, c := range candidates {
		fw := Firmware{Code: filepath.Join(root, c.Code)}
		if c.Vars != "" {
			fw.Vars = filepath.Join(root, c.Vars)
		}
		if isFile(fw.Code) && (fw.Vars == "" || isFile(fw.Vars)) {
			return fw, nil
		}
		tried = append(tried, fw.Code)
	}
	return Firmware{}, fmt.Errorf("find uefi firmware: none of %s (apt-get install ovmf)", strings.Join(tried, ", "))
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

// copyVars copies the variable-store template into dir, writable, so the
// guest can change its boot entries without touching the system's copy.
func copyVars(fw Firmware, dst string) (err error) {
	src, err := os.Open(fw.Vars)
	if err != nil {
		return fmt.Errorf("copy uefi variables: %w", err)
	}
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("copy uefi variables: %w", err)
	}
	defer func() {
		if cerr := out.Close(); cerr != nil {
			err = errors.Join(err, fmt.Errorf("copy uefi variables: %w", cerr))
		}
	}()
	if _, err := io.Copy(out, src); err != nil {
		return fmt.Errorf("copy uefi variables %s to %s: %w", fw.Vars, dst, err)
	}
	return nil
}
